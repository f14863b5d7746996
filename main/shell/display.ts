/**
 * Whether a window can be shown at all, decided before any browser or
 * Electron starts. Without this, a viewer started over plain ssh ran
 * Chromium, which died with "Missing X server or $DISPLAY", and graphns
 * exited 0: the user, or a script, was told the window had been shown and
 * closed. A window that cannot be shown is an error naming what works
 * instead: `--output FILE.svg`, `ssh -X`, `sudo -E`.
 */
import { accessSync, constants } from 'node:fs';
import { escapeDisplay } from '../model';
import { splitArgs } from './browser/find';

/** Whether the window's own switches make it headless (tests, benchmarks). */
export function isHeadless(switches: string | undefined): boolean {
  return splitArgs(switches).some((a) => a === '--headless' || a.startsWith('--headless='));
}

/**
 * Why no window can be shown with `env`, in one line; undefined when one
 * can. `readAuth` also proves the X authority file readable, which only
 * means something in the process that will show the window (after the
 * privilege drop: root reads anything).
 */
export function displayProblem(
  env: NodeJS.ProcessEnv,
  o: { headless: boolean; readAuth: boolean },
): string | undefined {
  if (o.headless) return undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return (
      'no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): ' +
      'write the graph to a file with --output FILE.svg, log in with ssh -X, ' +
      'or keep your desktop session under sudo with sudo -E'
    );
  }
  const auth = env.XAUTHORITY;
  if (o.readAuth && env.DISPLAY && auth) {
    try {
      accessSync(auth, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const uid = process.getuid?.() ?? -1;
      return (
        `cannot read the X authority file ${escapeDisplay(auth)} (XAUTHORITY) as uid ${uid} (${code}), ` +
        'so the window could not reach the display: run graphns from your own desktop session ' +
        '(sudo -E keeps it), or write the graph to a file with --output FILE.svg'
      );
    }
  }
  return undefined;
}
