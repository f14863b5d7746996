/**
 * The containers step of discovery: every source of sources.ts looks at the
 * processes in turn (the first to claim a process wins), and the claims
 * become the model's containers, keyed `engine:id`, sorted by key.
 *
 * Also the live ScanContext: engine state files read through main/files'
 * readRegularFile (regular files only, capped, never blocking on a fifo),
 * each path at most once per scan; argv read once per process per scan.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../../files';
import { decodeBytes } from '../../model/names';
import { containerKeyOf, type Container, type ContainerKey } from '../../model/types';
import { readProcFile } from '../procfs';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';
import { SOURCES } from './sources';
import { decodeText } from './text';
import { accountOf } from './owners';

export type { ProcInfo, ScanContext } from './source';

/** The largest state file read unless a source asks for less. */
export const DEFAULT_MAX_BYTES = 4 << 20;

/**
 * What one scan reads of the state files of one account (a user and their
 * subordinate uids, owners.ts): a user can plant files (a rootless
 * engine's state, flatpak instances) and must not make root's scan read
 * without bound (24 planted 64 MiB files once crashed graphns), nor spend
 * what another user's containers need to be named. A user's real state is
 * small: a rootless container's config.v2.json a few KiB, libpod's
 * database some 128 KiB for a few containers. Root's own files are
 * bounded per file only. Sized so that a user at this budget keeps root's
 * scan within 2x its time (docs/BENCHMARKS.md, bench:attacks).
 */
export const USER_BYTES_PER_SCAN = 2 << 20;

/** The most names one directory listing gives (17 000 planted flatpak dirs ran root out of memory). */
export const MAX_LIST = 4096;

/** Errors meaning "not there": the engine is not installed or the container is gone. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/**
 * State files as a rescan may reuse them: the text, and what the file was
 * when it was read (device, inode, size, change and modification times).
 */
export type TextCache = Map<
  string,
  { dev: bigint; ino: bigint; size: bigint; mtime: bigint; ctime: bigint; text: string }
>;

/**
 * A state file whose ctime is at least this much older than our read of it
 * may be reused while it keeps its identity: a write within the same
 * timestamp tick as an earlier one (a few ms where timestamps are coarse)
 * could otherwise leave size and times unchanged ("racy" files, as git
 * calls them). Files changed that recently are simply read again.
 */
const SETTLED_NS = 1_000_000_000n;

/** What a live context needs. */
export interface ContextOptions {
  /** Where engine state lives; `/` on a live host. */
  root?: string;
  /** Where procfs is mounted (for argv). */
  proc?: string;
  warn(message: string): void;
  /**
   * Across scans: `previous` is what the last scan read, `next` is filled
   * for the next one. A file is taken from `previous` when stat() still
   * shows the same device, inode, size, mtime and ctime (any write moves
   * ctime, and nobody can set it back), else read again. Limit: a file
   * changed only through a shared writable mapping gets its times when
   * the kernel notices the dirty page, not at every store.
   */
  texts?: { previous?: TextCache; next: TextCache };
  /** USER_BYTES_PER_SCAN (per account) unless testing. */
  userBytes?: number;
}

type Ident = { dev: bigint; ino: bigint; size: bigint; mtime: bigint; ctime: bigint };

/** The identity of the file at `path` (links followed) and its owner, or undefined. */
function identity(path: string): (Ident & { uid: number }) | undefined {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isFile()) return undefined;
    return {
      dev: st.dev,
      ino: st.ino,
      size: st.size,
      mtime: st.mtimeNs,
      ctime: st.ctimeNs,
      uid: Number(st.uid),
    };
  } catch {
    return undefined;
  }
}

const same = (a: Ident, b: Ident) =>
  a.dev === b.dev &&
  a.ino === b.ino &&
  a.size === b.size &&
  a.mtime === b.mtime &&
  a.ctime === b.ctime;

/** A ScanContext over the real filesystem under `root`. */
export function liveContext(options: ContextOptions): ScanContext {
  const root = options.root ?? '/';
  const proc = options.proc ?? '/proc';
  const texts = new Map<string, string | undefined>();
  const argvs = new Map<number, readonly string[] | undefined>();
  const at = (path: string) => (root === '/' ? path : join(root, path));
  const budget = options.userBytes ?? USER_BYTES_PER_SCAN;
  const left = new Map<string, number>(); // bytes each account may still have read
  const said = new Set<string>(); // budget warnings, once per account per scan
  let account: ((uid: number) => string) | undefined; // made at the first user's file
  const ctx: ScanContext = {
    root,
    readText(path, maxBytes = DEFAULT_MAX_BYTES, owner) {
      const cacheKey = `${maxBytes}\0${owner ?? ''}\0${path}`;
      if (texts.has(cacheKey)) return texts.get(cacheKey);
      let text: string | undefined;
      const cache = options.texts;
      const before = identity(at(path));
      const known = cache && before && cache.previous?.get(cacheKey);
      if (known && same(known, before!)) {
        cache!.next.set(cacheKey, known);
        texts.set(cacheKey, known.text);
        return known.text;
      }
      if (owner !== undefined && before !== undefined && before.uid !== owner) {
        options.warn(`${path} belongs to uid ${before.uid}, not ${owner}: not read`);
        texts.set(cacheKey, undefined);
        return undefined;
      }
      // a user's file counts against what the scan may read of their account's files
      const who =
        before !== undefined && before.uid !== 0
          ? (account ??= accountOf(ctx))(before.uid)
          : undefined;
      const mayRead = who === undefined ? maxBytes : (left.get(who) ?? budget);
      if (who !== undefined && before!.size > BigInt(mayRead)) {
        if (!said.has(who)) {
          said.add(who);
          options.warn(
            `read ${formatBudget(budget)} of state files user ${who} owns in this scan: ` +
              `${path} and any more of theirs are not read`,
          );
        }
        texts.set(cacheKey, undefined);
        return undefined;
      }
      try {
        const now = BigInt(Date.now()) * 1_000_000n; // ctime's clock (CLOCK_REALTIME), in ns
        const buf = readRegularFile(at(path), Math.min(maxBytes, mayRead));
        if (who !== undefined) left.set(who, mayRead - buf.length);
        // the same string decodeBytes gives, fast for large files (text.ts)
        text = decodeText(buf);
        // reusable next time if nothing touched it while we read, nor shortly before
        const after = cache && before && identity(at(path));
        if (after && same(before!, after) && after.ctime < now - SETTLED_NS)
          cache!.next.set(cacheKey, { ...after, text });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!(code && ABSENT.has(code))) options.warn((err as Error).message);
      }
      texts.set(cacheKey, text);
      return text;
    },
    list(path) {
      let names: string[];
      try {
        names = readdirSync(at(path));
      } catch {
        return [];
      }
      if (names.length <= MAX_LIST) return names;
      options.warn(`${path} holds ${names.length} entries: only ${MAX_LIST} are looked at`);
      // the last by length, then text: for numbered entries (flatpak's instances), the newest
      return names
        .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
        .slice(-MAX_LIST);
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
  return ctx;
}

/** `4 MiB`, `5 KiB`. */
const formatBudget = (n: number) =>
  n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MiB` : `${Math.round(n / 1024)} KiB`;

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
  const owners = new Map<ContainerKey, number | undefined>();
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
      const key = containerKeyOf(f);
      // only processes this source was shown and nobody claimed yet
      const pids = f.pids.filter((pid) => mine.has(pid) && !claimed.has(pid));
      if (pids.length === 0) continue;
      for (const pid of pids) claimed.add(pid);
      const known = byKey.get(key);
      if (known) {
        // one user's claim never joins a container of root's or of another user
        if (owners.get(key) !== f.ownerUid) {
          ctx.warn(`uid ${f.ownerUid ?? 0} claims container ${key} of another owner: ignored`);
          continue;
        }
        known.pids.push(...pids);
        for (const s of f.sources) if (!known.sources.includes(s)) known.sources.push(s);
        continue;
      }
      const { ownerUid, ...found } = f;
      const c: Container = { ...found, key, pids };
      if (ownerUid !== undefined) c.owner = { uid: ownerUid };
      byKey.set(key, c);
      owners.set(key, ownerUid);
    }
  }
  const containers = [...byKey.values()];
  for (const c of containers) c.pids.sort((a, b) => a - b);
  return containers.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
