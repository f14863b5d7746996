/**
 * The live ScanContext of the containers step: engine state files read
 * through main/files' readRegularFile (regular files only, capped, never
 * blocking on a fifo), each path at most once per scan, within what the
 * scan may read of each user's files; argv read once per process per
 * scan. Across a series' scans, a state file that kept its identity is
 * not read again (`texts`).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasCode } from '../../../native-shim';
import { readRegularFile } from '../../files';
import { decodeBytes } from '../../model/names';
import { readProcFile } from '../procfs';
import { accountOf } from './owners';
import type { ScanContext } from './source';

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
const ABSENT = ['ENOENT', 'ENOTDIR'];

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
  const live = new LiveContext(options);
  // a plain object of its own functions: callers may spread it and replace one (tests do)
  return {
    root: live.root,
    readText: (path, maxBytes, owner) => live.readText(path, maxBytes, owner),
    list: (path) => live.list(path),
    argv: (pid) => live.argv(pid),
    warn: live.warn,
  };
}

/** What a state file may cost the scan: the bytes it may read, and whose budget pays. */
interface Allowance {
  bytes: number;
  /** The account of the user who owns the file; undefined for root's files (capped per file only). */
  account: string | undefined;
}

/** What one scan may still read of each account's files (USER_BYTES_PER_SCAN). */
class AccountBudgets {
  readonly #left = new Map<string, number>();
  /** Budget warnings, once per account per scan. */
  readonly #said = new Set<string>();
  /** Made at the first user's file. */
  #account: ((uid: number) => string) | undefined;

  constructor(
    readonly ctx: ScanContext,
    readonly budget: number,
  ) {}

  /** What reading `path` (owned by `uid`, `size` bytes) may take; undefined, and a warning, when over. */
  allow(path: string, uid: number, size: bigint, maxBytes: number): Allowance | undefined {
    if (uid === 0) return { bytes: maxBytes, account: undefined };
    const account = (this.#account ??= accountOf(this.ctx))(uid);
    const bytes = this.#left.get(account) ?? this.budget;
    if (size <= BigInt(bytes)) return { bytes, account };
    if (!this.#said.has(account)) {
      this.#said.add(account);
      this.ctx.warn(
        `read ${formatBudget(this.budget)} of state files user ${account} owns in this scan: ` +
          `${path} and any more of theirs are not read`,
      );
    }
    return undefined;
  }

  /** `read` bytes of `allowance` were read. */
  spend(allowance: Allowance, read: number): void {
    if (allowance.account !== undefined) this.#left.set(allowance.account, allowance.bytes - read);
  }
}

/** The live ScanContext: each state file read at most once per scan, argv once per process. */
class LiveContext implements ScanContext {
  readonly root: string;
  readonly warn: (message: string) => void;
  readonly #proc: string;
  readonly #cache: ContextOptions['texts'];
  /** Texts read this scan, by maxBytes, owner and path. */
  readonly #texts = new Map<string, string | undefined>();
  readonly #argvs = new Map<number, readonly string[] | undefined>();
  readonly #budgets: AccountBudgets;

  constructor(options: ContextOptions) {
    this.root = options.root ?? '/';
    this.warn = options.warn;
    this.#proc = options.proc ?? '/proc';
    this.#cache = options.texts;
    this.#budgets = new AccountBudgets(this, options.userBytes ?? USER_BYTES_PER_SCAN);
  }

  readText(path: string, maxBytes = DEFAULT_MAX_BYTES, owner?: number): string | undefined {
    const key = `${maxBytes}\0${owner ?? ''}\0${path}`;
    if (this.#texts.has(key)) return this.#texts.get(key);
    const text = this.#textOf(path, maxBytes, owner, key);
    this.#texts.set(key, text);
    return text;
  }

  /** The file's text: the last scan's while the file is the same, else read if allowed. */
  #textOf(path: string, maxBytes: number, owner: number | undefined, key: string) {
    const before = identity(this.#at(path));
    const known = before && this.#cache?.previous?.get(key);
    if (known && same(known, before!)) {
      this.#cache!.next.set(key, known);
      return known.text;
    }
    if (owner !== undefined && before !== undefined && before.uid !== owner) {
      this.warn(`${path} belongs to uid ${before.uid}, not ${owner}: not read`);
      return undefined;
    }
    // a user's file counts against what the scan may read of their account's files
    const allowance = before
      ? this.#budgets.allow(path, before.uid, before.size, maxBytes)
      : { bytes: maxBytes, account: undefined };
    return allowance && this.#read(path, key, before, allowance, maxBytes);
  }

  /** Read the file (regular files only, capped), keeping it for the next scan if it has settled. */
  #read(
    path: string,
    key: string,
    before: Ident | undefined,
    allowance: Allowance,
    maxBytes: number,
  ) {
    try {
      const now = BigInt(Date.now()) * 1_000_000n; // ctime's clock (CLOCK_REALTIME), in ns
      const buf = readRegularFile(this.#at(path), Math.min(maxBytes, allowance.bytes));
      this.#budgets.spend(allowance, buf.length);
      const text = decodeBytes(buf);
      // reusable next time if nothing touched it while we read, nor shortly before
      const after = this.#cache && before && identity(this.#at(path));
      if (after && same(before!, after) && after.ctime < now - SETTLED_NS)
        this.#cache!.next.set(key, { ...after, text });
      return text;
    } catch (err) {
      if (!hasCode(err, ...ABSENT)) this.warn((err as Error).message);
      return undefined;
    }
  }

  list(path: string): string[] {
    let names: string[];
    try {
      names = readdirSync(this.#at(path));
    } catch {
      return [];
    }
    if (names.length <= MAX_LIST) return names;
    this.warn(`${path} holds ${names.length} entries: only ${MAX_LIST} are looked at`);
    // the last by length, then text: for numbered entries (flatpak's instances), the newest
    return names
      .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
      .slice(-MAX_LIST);
  }

  argv(pid: number): readonly string[] | undefined {
    if (this.#argvs.has(pid)) return this.#argvs.get(pid);
    let argv: string[] | undefined;
    try {
      argv = splitArgv(readProcFile(`${this.#proc}/${pid}/cmdline`, 'whole'));
    } catch {
      argv = undefined; // gone meanwhile
    }
    this.#argvs.set(pid, argv);
    return argv;
  }

  /** `path` (absolute, as on the host) under the scan's root. */
  #at(path: string): string {
    return this.root === '/' ? path : join(this.root, path);
  }
}

/** A command line's arguments (NUL-separated bytes), each decoded as decodeBytes does. */
function splitArgv(buf: Buffer): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let nul = buf.indexOf(0, start);
    if (nul < 0) nul = buf.length;
    parts.push(decodeBytes(buf.subarray(start, nul)));
    start = nul + 1;
  }
  return parts;
}

/** `4 MiB`, `5 KiB`. */
const formatBudget = (n: number) =>
  n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MiB` : `${Math.round(n / 1024)} KiB`;
