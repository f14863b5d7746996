/**
 * The viewer window's size and position, remembered between runs (as
 * the seed's viewer does) in `$XDG_CONFIG_HOME/graphns/window.json`
 * (default `~/.config/graphns/window.json`) of the user the window runs as.
 * Whatever the file holds is checked: a broken or absurd file means default
 * bounds, never a failure; a fifo, a device (a link to /dev/zero) or a huge
 * file there is not even read (main/files' readRegularFile), so it cannot
 * hang the viewer before its window opens.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { saneWindowBounds, type WindowBounds } from '../contract';
import { readRegularFile, writeFileAtomic } from '../files';

// Four numbers need a few dozen bytes; anything near this is not ours.
const MAX_BOUNDS_FILE = 64 * 1024;

/** A window rectangle in screen pixels. */
export type Bounds = WindowBounds;

/** The bounds file for a user with `home` and environment `env`. */
export function boundsFile(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(config, 'graphns', 'window.json');
}

/** `v` as sane Bounds, or undefined (the contract's check: one rule for file and page). */
export const checkBounds: (v: unknown) => Bounds | undefined = saneWindowBounds;

/** The remembered bounds, or undefined when there are none worth using. */
export function readBounds(file: string): Bounds | undefined {
  try {
    return checkBounds(JSON.parse(readRegularFile(file, MAX_BOUNDS_FILE).toString('utf8')));
  } catch {
    return undefined;
  }
}

/** Remember `b`; failures (read-only home) are ignored, it is only a convenience. */
export function writeBounds(file: string, b: Bounds): void {
  const good = checkBounds(b);
  if (!good) return;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, `${JSON.stringify(good)}\n`, { policy: 'replace', mode: 0o644 });
  } catch {
    /* not remembered this time */
  }
}

/**
 * True when at least a 100x50 pixel corner of `b` lies on one of the
 * displays' work areas, so a window is never restored off-screen.
 */
export function isVisible(b: Bounds, displays: readonly Bounds[]): boolean {
  return displays.some((d) => {
    const w = Math.min(b.x + b.width, d.x + d.width) - Math.max(b.x, d.x);
    const h = Math.min(b.y + b.height, d.y + d.height) - Math.max(b.y, d.y);
    return w >= 100 && h >= 50;
  });
}
