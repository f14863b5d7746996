/**
 * The containers step of discovery: every source of sources.ts looks at the
 * processes in turn (the first to claim a process wins), and the claims
 * become the model's containers, keyed `engine:id`, sorted by key.
 *
 * Also the live ScanContext: engine state files read through main/files'
 * readRegularFile (regular files only, capped, never blocking on a fifo),
 * each path at most once per scan; argv read once per process per scan.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../../files';
import { decodeBytes } from '../../model/names';
import type { Container, ContainerKey } from '../../model/types';
import { readProcFile } from '../procfs';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';
import { SOURCES } from './sources';
import { decodeText } from './text';

export type { ProcInfo, ScanContext } from './source';

/** The largest state file read unless a source asks for less. */
export const DEFAULT_MAX_BYTES = 4 << 20;

/** Errors meaning "not there": the engine is not installed or the container is gone. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/** What a live context needs. */
export interface ContextOptions {
  /** Where engine state lives; `/` on a live host. */
  root?: string;
  /** Where procfs is mounted (for argv). */
  proc?: string;
  warn(message: string): void;
}

/** A ScanContext over the real filesystem under `root`. */
export function liveContext(options: ContextOptions): ScanContext {
  const root = options.root ?? '/';
  const proc = options.proc ?? '/proc';
  const texts = new Map<string, string | undefined>();
  const argvs = new Map<number, readonly string[] | undefined>();
  const at = (path: string) => (root === '/' ? path : join(root, path));
  return {
    root,
    readText(path, maxBytes = DEFAULT_MAX_BYTES) {
      const cacheKey = `${maxBytes}\0${path}`;
      if (texts.has(cacheKey)) return texts.get(cacheKey);
      let text: string | undefined;
      try {
        const buf = readRegularFile(at(path), maxBytes);
        // the same string decodeBytes gives, fast for large files (text.ts)
        text = decodeText(buf);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!(code && ABSENT.has(code))) options.warn((err as Error).message);
      }
      texts.set(cacheKey, text);
      return text;
    },
    list(path) {
      try {
        return readdirSync(at(path));
      } catch {
        return [];
      }
    },
    argv(pid) {
      if (argvs.has(pid)) return argvs.get(pid);
      let argv: string[] | undefined;
      try {
        const buf = readProcFile(`${proc}/${pid}/cmdline`, 'whole');
        const parts: string[] = [];
        let start = 0;
        while (start < buf.length) {
          let nul = buf.indexOf(0, start);
          if (nul < 0) nul = buf.length;
          parts.push(decodeBytes(buf.subarray(start, nul)));
          start = nul + 1;
        }
        argv = parts;
      } catch {
        argv = undefined; // gone meanwhile
      }
      argvs.set(pid, argv);
      return argv;
    },
    warn: options.warn,
  };
}

/**
 * Run the sources over `procs` (sorted by PID) and return the containers,
 * sorted by key, each with its PIDs sorted. A source that throws (a bug:
 * sources must not) costs its own containers and a warning, never the scan.
 */
export function resolveContainers(
  procs: readonly ProcInfo[],
  ctx: ScanContext,
  sources: readonly ContainerSource[] = SOURCES,
): Container[] {
  const claimed = new Set<number>();
  const byKey = new Map<ContainerKey, Container>();
  for (const source of sources) {
    const left = procs.filter((p) => !claimed.has(p.pid));
    if (left.length === 0) break;
    let found: FoundContainer[];
    try {
      found = source.scan(left, ctx);
    } catch (err) {
      ctx.warn(`container source ${source.name} failed: ${(err as Error)?.message ?? err}`);
      continue;
    }
    const mine = new Set(left.map((p) => p.pid));
    for (const f of found) {
      const key = `${f.engine}:${f.id}` as ContainerKey;
      // only processes this source was shown and nobody claimed yet
      const pids = f.pids.filter((pid) => mine.has(pid) && !claimed.has(pid));
      if (pids.length === 0) continue;
      for (const pid of pids) claimed.add(pid);
      const known = byKey.get(key);
      if (known) {
        known.pids.push(...pids);
        for (const s of f.sources) if (!known.sources.includes(s)) known.sources.push(s);
        continue;
      }
      const c: Container = { ...f, key, pids };
      byKey.set(key, c);
    }
  }
  const containers = [...byKey.values()];
  for (const c of containers) c.pids.sort((a, b) => a - b);
  return containers.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
