/**
 * Readers for the /proc files discovery needs. Each returns parsed data or
 * throws Node's fs error unchanged (ENOENT/ESRCH when a process went away,
 * EACCES where even root may not look); the steps decide what an error means.
 * Everything is synchronous: /proc answers from memory, and sync calls are
 * several times faster than promise round trips for thousands of tiny reads.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { readlinkLatin1 } from '../../native-shim';
import { decodeBytes, decodeEscaped } from '../model/names';
import { NS_TYPES } from '../relations/constants';
import type { NsKey, NsTypeName } from '../model/types';

const TYPES = new Set<string>(NS_TYPES);
const DIGITS = /^\d+$/;

/**
 * Parse an nsfs link text like `net:[4026531840]` into its key, or
 * undefined. Called for every link of every process, so no regex on the
 * common path.
 */
export function parseNsLink(
  link: string,
): { type: NsTypeName; ino: number; key: NsKey } | undefined {
  const colon = link.indexOf(':');
  if (colon < 0 || link.charCodeAt(colon + 1) !== 91 || link.charCodeAt(link.length - 1) !== 93) {
    return undefined; // not `type:[...]`
  }
  const type = link.slice(0, colon);
  const digits = link.slice(colon + 2, -1);
  if (!TYPES.has(type) || !DIGITS.test(digits)) return undefined;
  const ino = Number(digits);
  return { type: type as NsTypeName, ino, key: `${type}:${digits}` as NsKey };
}

/** All numeric entries of a /proc directory (PIDs, TIDs), ascending. */
export function listIds(dir: string): number[] {
  const ids: number[] = [];
  for (const name of readdirSync(dir)) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) ids.push(Number(name));
  }
  return ids.sort((a, b) => a - b);
}

/** A parsed nsfs link. */
export type NsLink = { type: NsTypeName; ino: number; key: NsKey };

/**
 * The link text of /proc/…/ns/NAME, parsed. With `cache` (one per scan),
 * a text seen before gives the same parsed object: most processes share
 * most namespaces, so a scan parses a few thousand distinct links instead
 * of ten per process, and makes that much less garbage.
 */
export function readNsLink(path: string, cache?: Map<string, NsLink>): NsLink {
  const link = readlinkLatin1(path); // ASCII by form; cheaper than readlinkSync (native-shim)
  let parsed = cache?.get(link);
  if (parsed) return parsed;
  parsed = parseNsLink(link);
  if (!parsed) throw new Error(`${path}: unexpected link ${JSON.stringify(link)}`);
  cache?.set(link, parsed);
  return parsed;
}

/** Fields of /proc/PID/stat that discovery uses. */
export interface Stat {
  comm: string;
  state: string;
  ppid: number;
  /** Start time in clock ticks after boot. */
  start: number;
  /** Number of threads; 1 lets discovery skip the task directory. */
  threads: number;
}

/**
 * Parse /proc/PID/stat. comm sits in parentheses and may itself contain
 * spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStat(buf: Buffer): Stat {
  const open = buf.indexOf(0x28); // '('
  const close = buf.lastIndexOf(0x29); // ')'
  if (open < 0 || close < open || buf[close + 1] !== 0x20) throw new Error('malformed stat');
  // after ") ": field 0 is the state, 1 the parent, 17 the threads, 19 the start time.
  // Walked byte by byte, not split: this runs for every process of every scan.
  let ppid = NaN;
  let threads = NaN;
  let start = NaN;
  let field = 0;
  let from = close + 2;
  for (let i = from; i <= buf.length && field <= 19; i++) {
    if (i < buf.length && buf[i] !== 0x20 && buf[i] !== 0x0a) continue;
    if (field === 1 || field === 17 || field === 19) {
      const n = decimal(buf, from, i);
      if (field === 1) ppid = n;
      else if (field === 17) threads = n;
      else start = n;
    }
    field++;
    from = i + 1;
  }
  if (!(ppid >= 0 && threads >= 0 && start >= 0)) throw new Error('malformed stat');
  const state = close + 2 < buf.length ? String.fromCharCode(buf[close + 2]!) : '?';
  return { comm: commOf(buf, open + 1, close), state, ppid, start, threads };
}

/** The decimal number in buf[from, to), or NaN (empty, not digits, or not a safe integer). */
function decimal(buf: Buffer, from: number, to: number): number {
  if (to <= from) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : NaN;
}

/** comm, the bytes between the stat line's parentheses. */
function commOf(buf: Buffer, from: number, to: number): string {
  return decodeBytes(buf.subarray(from, to));
}

/**
 * A process name as ps and the seed show it: argv[0] with its directory
 * dropped and a login shell's leading '-' removed; `[comm]` when there is
 * no command line (kernel threads, zombies). Only a directory in the first
 * space-separated word is dropped, so titles a process set itself
 * ("sshd: root@pts/0") survive whole.
 */
export function processName(cmdline: Buffer, comm: string): string {
  const nul = cmdline.indexOf(0);
  const argv0 = decodeBytes(nul < 0 ? cmdline : cmdline.subarray(0, nul));
  if (argv0 === '') return `[${comm}]`;
  let name = argv0.replace(/^[^ ]*\//, '');
  if (name.startsWith('-')) name = name.slice(1);
  return name === '' ? `[${comm}]` : name;
}

/** A reused read buffer, grown when a file fills it. */
export interface Scratch {
  buf: Buffer;
}
const scratch: Scratch = { buf: Buffer.allocUnsafe(64 * 1024) };

/**
 * Where a /proc read may stop before read() returns 0:
 * - `eof`: only there (mountinfo and other files printed record by record);
 * - `whole`: after a short read. Right for files the kernel prints whole
 *   before the first byte is copied (stat, schedstat, cgroup: single_open
 *   seq files) and for cmdline (copied until the buffer is full or the
 *   arguments end): a read that does not fill the buffer got everything,
 *   and the read() that would say so is one system call per file saved;
 * - `nul`: as `whole`, and also at the first NUL (a command line's argv[0]
 *   is all discovery needs);
 * - `records`: after a read shorter than SHORT_RECORDS_READ, for a seq_file
 *   printed record by record whose records are at most 40 bytes (uid_map,
 *   gid_map: 33). seq_read_iter fills its buffer (a page, at least 4096
 *   bytes, grown only for a record that does not fit alone) with as many
 *   records as the read asks for, and stops short of that only at the end
 *   of the records or when the next one does not fit the buffer, which
 *   leaves it fuller than SHORT_RECORDS_READ; so a shorter read was the end.
 */
export type ReadStop = 'eof' | 'whole' | 'nul' | 'records';

/** Less than a seq_file's smallest buffer (4096) minus a 40-byte record: see `records`. */
const SHORT_RECORDS_READ = 4096 - 40;

/**
 * Read a /proc file into a fresh Buffer. readFileSync() is several times
 * slower here: /proc files report size 0, so it fstat()s and then reads
 * in growing chunks. This opens, reads into one reused scratch buffer
 * (grown when a file fills it) and closes.
 */
export function readProcFile(
  path: string,
  stop: ReadStop = 'eof',
  /** Given, gets the file's owner (files under /proc/PID belong to its effective uid, or root). */
  owner?: { uid?: number },
): Buffer {
  return Buffer.from(readProcView(path, stop, owner));
}

/**
 * readProcFile without the copy: a view of the scratch buffer, valid only
 * until the next read. For the files parsed at once, in every scan, for
 * every process (stat, schedstat, cgroup, cmdline): one allocation fewer each.
 */
export function readProcView(
  path: string,
  stop: ReadStop = 'eof',
  owner?: { uid?: number },
): Buffer {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    if (owner) owner.uid = fstatSync(fd).uid;
    return readFdView(fd, stop, false, scratch);
  } finally {
    closeSync(fd);
  }
}

/** One nsfs mount from a mountinfo file. */
export interface NsMount {
  /** The namespace, from the mount's root field (`net:[4026532…]`). */
  key: NsKey;
  /** Mount point inside the mount namespace, octal escapes decoded. */
  mountPoint: string;
}

/** A mountinfo field (read as latin1) as text: its octal escapes (`\040` for space, ...) undone. */
function mountinfoField(s: string): string {
  return decodeEscaped(Buffer.from(s, 'latin1'), 'octal');
}

/**
 * The nsfs bind mounts in a /proc/PID/mountinfo text (read as latin1 so
 * bytes survive). Format per line: id parent maj:min root mountpoint
 * options [optional fields] - fstype source superoptions.
 */
export function parseNsMounts(mountinfo: string): NsMount[] {
  const mounts: NsMount[] = [];
  for (const line of mountinfo.split('\n')) {
    if (!line.includes(' - nsfs ')) continue;
    const fields = line.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    const sep = fields.indexOf('-');
    if (root === undefined || mountPoint === undefined || fields[sep + 1] !== 'nsfs') continue;
    const ns = parseNsLink(root);
    if (!ns) continue;
    mounts.push({ key: ns.key, mountPoint: mountinfoField(mountPoint) });
  }
  return mounts;
}

/** A cgroup hierarchy's mount, from a mountinfo file. */
export interface CgroupMount {
  /** Its controllers and name (`cpu`, `cpuacct`, `name=systemd`); empty for cgroup2. */
  options: ReadonlySet<string>;
  /** cgroup2 (the v2 line `0::`) or a v1 hierarchy. */
  v2: boolean;
  /** The directory of the hierarchy's part the mount shows (its root field). */
  root: string;
  mountPoint: string;
}

/**
 * The cgroup and cgroup2 mounts in a mountinfo text, in order (the first of
 * a hierarchy mounted twice is the one to use).
 */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    if (!line.includes(' - cgroup')) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    const type = fields[sep + 1];
    if (sep < 0 || (type !== 'cgroup' && type !== 'cgroup2')) continue;
    const [root, mountPoint] = [fields[3], fields[4]];
    if (root === undefined || mountPoint === undefined) continue;
    mounts.push({
      options: new Set(type === 'cgroup' ? (fields[sep + 3] ?? '').split(',') : []),
      v2: type === 'cgroup2',
      root: mountinfoField(root),
      mountPoint: mountinfoField(mountPoint),
    });
  }
  return mounts;
}

/**
 * The effective uid in a /proc/PID/status text (`Uid:` real, effective,
 * saved, fs), or undefined when the line is missing or malformed.
 */
export function parseStatusEuid(status: string): number | undefined {
  const m = /^Uid:\t\d+\t(\d+)\t/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** What discovery takes from /proc/PID/status: the effective uid and three capability sets. */
export interface StatusFacts {
  uid?: number;
  /** CapEff, CapPrm, CapBnd: 16 lowercase hex digits, as the kernel prints them. */
  capEff?: string;
  capPrm?: string;
  capBnd?: string;
}

const CAP_LINES = [
  ['\nCapPrm:\t', 'capPrm'],
  ['\nCapEff:\t', 'capEff'],
  ['\nCapBnd:\t', 'capBnd'],
] as const;

/**
 * The effective uid and the capability sets in a /proc/PID/status text,
 * each only when its line has exactly the kernel's form (`Uid:` four
 * decimal ids; `CapEff:` 16 lowercase hex digits, `%016llx`); a field
 * missing or malformed is left out. Lines are found by their `\n` and
 * label: the one line a process names (`Name:`, the first) is printed
 * with its newlines escaped, so no name can fake another line.
 */
export function parseStatusFacts(status: Buffer): StatusFacts {
  const facts: StatusFacts = {};
  const uidAt = status.indexOf('\nUid:\t');
  if (uidAt >= 0) {
    const eol = status.indexOf(0x0a, uidAt + 1);
    const uid = parseStatusEuid(
      status.toString('latin1', uidAt + 1, eol < 0 ? status.length : eol + 1),
    );
    if (uid !== undefined) facts.uid = uid;
  }
  for (const [label, field] of CAP_LINES) {
    const at = status.indexOf(label, uidAt < 0 ? 0 : uidAt);
    if (at < 0) continue;
    const from = at + label.length;
    // 16 hex digits, then the end of the line (or of the text)
    if (from + 16 > status.length || (from + 16 < status.length && status[from + 16] !== 0x0a))
      continue;
    const hex = status.toString('latin1', from, from + 16);
    if (HEX16.test(hex)) facts[field] = hex;
  }
  return facts;
}
const HEX16 = /^[0-9a-f]{16}$/;

/**
 * Read an open /proc file into `into` (grown when the file fills it),
 * stopping as `stop` says; from offset 0 with `fromStart` (pread: a held
 * fd read again), else from the file position. A view of the buffer,
 * valid until the next read into it. A file longer than `limit` bytes
 * throws (a procfs that is no kernel's: a test's, or a mount in its place).
 */
export function readFdView(
  fd: number,
  stop: ReadStop,
  fromStart: boolean,
  into: Scratch,
  limit = Infinity,
): Buffer {
  let len = 0;
  for (;;) {
    if (len === into.buf.length) {
      const bigger = Buffer.allocUnsafe(into.buf.length * 2);
      into.buf.copy(bigger, 0, 0, len);
      into.buf = bigger;
    }
    const room = into.buf.length - len;
    const n = readSync(fd, into.buf, len, room, fromStart ? len : null);
    if (n === 0) break;
    len += n;
    if (len > limit) throw new Error(`longer than ${limit} bytes`);
    if (stop === 'eof') continue;
    if (stop === 'records') {
      if (n < SHORT_RECORDS_READ && n < room) break;
      continue;
    }
    if (n < room) break;
    if (stop === 'nul' && into.buf.subarray(len - n, len).includes(0)) break;
  }
  return into.buf.subarray(0, len);
}
