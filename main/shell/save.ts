/**
 * Where saved SVGs go. The page only ever supplies the SVG text; the Node
 * side alone picks the file, so a hostile page cannot write anywhere.
 *
 * Browser shell (no native dialog): into `~/Downloads` of the user the
 * window runs as (else their home), under a fresh name
 * `graphns-<host>-<date>-<time>.svg`; an existing file is never replaced
 * (`-2`, `-3`, ... are tried). Electron shell: exactly the path the user
 * picked in the native save dialog. Both write a temporary file next to the
 * target first, so a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Write `svgText` into `dir` under a name from saveBaseName() that does not
 * exist yet; never replaces a file. Returns the path written.
 */
export function saveNewFile(dir: string, base: string, svgText: string): string {
  const tmp = tempNameFor(join(dir, `${base}.svg`));
  writeFileSync(tmp, svgText, { flag: 'wx', mode: 0o644 });
  try {
    for (let n = 1; n < 1000; n++) {
      const target = join(dir, n === 1 ? `${base}.svg` : `${base}-${n}.svg`);
      try {
        linkSync(tmp, target); // atomic, and fails rather than replace
        return target;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`no free file name for ${base}.svg in ${dir}`);
  } finally {
    unlinkSync(tmp);
  }
}

/** Write `svgText` to `target` (a path the user chose), replacing it atomically. */
export function saveChosenFile(target: string, svgText: string): string {
  const tmp = tempNameFor(target);
  writeFileSync(tmp, svgText, { flag: 'wx', mode: 0o644 });
  try {
    renameSync(tmp, target);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  return target;
}
