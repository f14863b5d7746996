/**
 * Finding programs on disk without running them.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** True when `path` is a regular file we may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first of `names` found executable on `$PATH`, as an absolute path. */
export function whichFirst(
  names: readonly string[],
  pathVar: string | undefined,
  isExec: (p: string) => boolean = isExecutable,
): string | undefined {
  const dirs = (pathVar ?? '').split(delimiter).filter((d) => isAbsolute(d));
  for (const name of names) {
    for (const dir of dirs) {
      const p = join(dir, name);
      if (isExec(p)) return p;
    }
  }
  return undefined;
}
