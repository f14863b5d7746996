/**
 * The built commands (dist/app/*.js), run as a user would: whole processes.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a built command; fails clearly when the build is missing. */
export function bin(name: 'graphns' | 'lsuserns' | 'lspidns' | 'lsnetns'): string {
  const file = fileURLToPath(new URL(`../../dist/app/${name}.js`, import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return file;
}

/** Run a built command to completion; `prefix` wraps it (e.g. setpriv …). */
export function runBin(
  name: 'graphns' | 'lsuserns' | 'lspidns' | 'lsnetns',
  args: string[],
  prefix: string[] = [],
): SpawnSyncReturns<string> {
  const [cmd, ...rest] = [...prefix, process.execPath, bin(name), ...args];
  return spawnSync(cmd!, rest, { encoding: 'utf8', maxBuffer: 256 << 20 });
}
