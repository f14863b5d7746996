/**
 * What a scan could not see, said once per cause. A live system races the
 * scanner: processes exit mid-scan (ENOENT/ESRCH) — that is normal and not
 * reported. Everything else (EACCES on /proc/1 even for root, an
 * unprivileged user looking at other users' processes) is collected per
 * cause and summarised, so a scan of thousands of processes yields a few
 * readable lines instead of thousands.
 */
import { hasCode } from '../../native-shim';
import { escapeDisplay } from '../model/names';

const SHOWN_PER_CAUSE = 5;

/** Errors meaning "the process or thread is gone": not worth a warning. */
export function isVanished(err: unknown): boolean {
  return hasCode(err, 'ENOENT', 'ESRCH');
}

/** A short, escaped-later name for warnings: `pid 42 (name)`. */
export const who = (p: { pid: number; name?: string }): string =>
  p.name ? `pid ${p.pid} (${p.name})` : `pid ${p.pid}`;

/** Collects scan problems grouped by cause. */
export class Warnings {
  readonly #byCause = new Map<string, string[]>();

  /**
   * Note that `what` (e.g. `pid 1 [process_api]`) could not be read for
   * `cause` (e.g. `ns links: EACCES`).
   */
  add(cause: string, what: string): void {
    const list = this.#byCause.get(cause);
    if (list) list.push(what);
    else this.#byCause.set(cause, [what]);
  }

  /** Note an error's code (or message) as the cause. */
  addError(context: string, what: string, err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    this.add(
      `${context}: ${typeof code === 'string' ? code : String((err as Error)?.message ?? err)}`,
      what,
    );
  }

  /** One line per cause, the first few subjects named, the rest counted. */
  lines(): string[] {
    return [...this.#byCause].map(([cause, subjects]) => {
      const shown = subjects.slice(0, SHOWN_PER_CAUSE).map((s) => escapeDisplay(s));
      const more = subjects.length - shown.length;
      return `${cause}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    });
  }
}
