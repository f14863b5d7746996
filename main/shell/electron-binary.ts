/**
 * Is there an Electron binary to run the viewer in? Answered without
 * `require('electron')`: from version 42 on that tries to download the
 * binary. Instead, like the electron package's own index.js: read the
 * package's `path.txt` (written when the binary was installed) and check
 * `dist/<that>` exists; ELECTRON_OVERRIDE_DIST_PATH, when set, names the
 * directory holding the binary instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isExecutable } from './executable';

/** Where the binary is, or why there is none. */
export type ElectronLookup = { path: string } | { missing: string };

/** The directory of the installed electron npm package, if any. */
export function electronPackageDir(from: string = import.meta.url): string | undefined {
  try {
    return dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** Find the Electron binary for `env` and the electron package in `packageDir`. */
export function findElectron(
  env: NodeJS.ProcessEnv,
  packageDir: string | undefined,
  isExec: (p: string) => boolean = isExecutable,
): ElectronLookup {
  let relative: string | undefined;
  if (packageDir && existsSync(join(packageDir, 'path.txt'))) {
    relative = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim() || undefined;
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, relative ?? 'electron');
    return isExec(p) ? { path: p } : { missing: `ELECTRON_OVERRIDE_DIST_PATH has no binary ${p}` };
  }
  if (!packageDir) return { missing: 'the electron package is not installed' };
  if (!relative) {
    return { missing: `the electron package at ${packageDir} has no binary (never downloaded)` };
  }
  const p = join(packageDir, 'dist', relative);
  return isExec(p) ? { path: p } : { missing: `the Electron binary ${p} is missing` };
}
