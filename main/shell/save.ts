/**
 * Where saved SVGs and PNGs go. The page only ever supplies the SVG text or
 * the PNG bytes; the Node side alone picks the file, so a hostile page
 * cannot write anywhere.
 *
 * Browser shell (no native dialog): into `~/Downloads` of the user the
 * window runs as (else their home), under a fresh name
 * `graphns-<host>-<date>-<time>.svg` (or `.png`); an existing file is never replaced
 * (`-2`, `-3`, ... are tried). Electron shell: exactly the path the user
 * picked in the native save dialog, replacing a regular file there. Both go
 * through main/files (temporary file, fsync, then link or rename), so a
 * reader never sees half a file.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { SaveResult } from '../contract';
import { writeFileAtomic } from '../files';

/** What the page may save, by file extension. */
export type SaveKind = 'svg' | 'png';

/** The directory the browser shell saves into: ~/Downloads if it exists, else ~. */
export function defaultSaveDir(home: string): string {
  const downloads = join(home, 'Downloads');
  try {
    if (statSync(downloads).isDirectory()) return downloads;
  } catch {
    /* no Downloads folder */
  }
  return home;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `graphns-<host>-YYYYMMDD-HHMMSS` (local time), host reduced to safe characters. */
export function saveBaseName(hostname: string, now: Date): string {
  const host =
    hostname
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 64) || 'host';
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `graphns-${host}-${date}-${time}`;
}

/**
 * Write `data` (SVG text, PNG bytes) into `dir` as `<base>.<kind>`, or
 * `<base>-2.<kind>`, ... when that exists; never replaces a file. Returns
 * the path written.
 * @throws FileWriteError (main/files) with a one-line message.
 */
export function saveNewFile(
  dir: string,
  base: string,
  data: string | Uint8Array,
  kind: SaveKind = 'svg',
): string {
  return writeFileAtomic(join(dir, `${base}.${kind}`), data, {
    policy: 'never-replace',
    mode: 0o644,
  });
}

/**
 * The browser shell's save: a new file in the home's Downloads (else the
 * home) named after the host and the time; the outcome as the page sees it.
 */
export function saveInDefaultDir(
  o: { home: string; hostname: string; now: Date },
  data: string | Uint8Array,
  kind: SaveKind,
): SaveResult {
  try {
    const dir = defaultSaveDir(o.home);
    return { saved: true, path: saveNewFile(dir, saveBaseName(o.hostname, o.now), data, kind) };
  } catch (err) {
    return { saved: false, error: (err as Error).message };
  }
}

/**
 * Write `data` to `target` (a path the user chose), replacing a regular
 * file there atomically (it keeps its mode). Returns `target`.
 * @throws FileWriteError (main/files) with a one-line message.
 */
export function saveChosenFile(target: string, data: string | Uint8Array): string {
  return writeFileAtomic(target, data, { policy: 'replace', mode: 0o644 });
}
