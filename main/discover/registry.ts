/**
 * The namespaces found so far, while discovery runs. Each entry is the
 * model's Namespace plus the places it can be opened from (a /proc link, a
 * task link, an fd, a bind mount path), tried in order by the hierarchy step
 * because any of them may vanish before it is opened.
 */
import type { Namespace, NsKey, NsTypeName, Origin } from '../model/types';

/** At most this many ways to open each namespace are kept. */
export const MAX_REFS = 3;

/** A namespace under construction. */
export interface Entry {
  ns: Namespace;
  /** Paths that open this namespace (e.g. `/proc/42/ns/net`). */
  refs: string[];
}

/** Namespaces by key, in the order they were found. */
export class Registry {
  readonly entries = new Map<NsKey, Entry>();

  /**
   * The entry for `key`, created with `origin` if new. `ref` (a path that
   * opens it) is remembered when there is room.
   */
  note(key: NsKey, type: NsTypeName, ino: number, origin: Origin, ref?: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = {
        ns: { key, type, ino, origin, pids: [], tasks: [], fds: [], mounts: [] },
        refs: [],
      };
      this.entries.set(key, e);
    }
    if (ref !== undefined && e.refs.length < MAX_REFS) e.refs.push(ref);
    return e;
  }

  get(key: NsKey): Entry | undefined {
    return this.entries.get(key);
  }
}
