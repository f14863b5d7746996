/**
 * A snapshot handed to a viewer window already open: a second
 * `graphns --open FILE` reads FILE itself, as the user who ran it, checks
 * it, and hands its content (never its path) to the window of the same
 * user on the same display, which shows it. Neither shell has this of its
 * own: the browser shell opens a window per run, and Electron's
 * single-instance lock only raised the first window (its message to the
 * first instance is a command line of at most 32 KiB, Chromium's
 * ProcessSingleton, so it cannot carry a snapshot either).
 *
 * The rendezvous is a Unix socket per window, `viewer-<display>-<pid>.sock`
 * in a directory only the user can enter: `/run/user/UID/graphns` where
 * the user has a runtime directory of their own (logind's), else
 * `/tmp/graphns-UID` (as tmux does). Both ends check the directory before
 * using it: a real directory (never a link), the user's, closed to
 * everyone else (the window's side closes a directory of its own that is
 * open, and refuses anyone else's; the sending side refuses to send into
 * anything else, so a directory another user made first cannot collect a
 * snapshot). The socket itself is made with mode 0600. So the kernel
 * refuses every other user twice (no search permission on the directory,
 * no write permission on the socket); root can reach it, as root can
 * reach anything of the user's. The page never learns a path from this:
 * it gets the file's name (for its words) and the text, which it checks
 * as it checks a file dropped on it.
 *
 * A window takes part only when it is on a display (DISPLAY or
 * WAYLAND_DISPLAY, which key the socket's name): a headless browser shows
 * nobody anything, and tests run many of those at once as one user.
 * GRAPHNS_HANDOFF=1 lets headless ones take part (for the tests of this).
 *
 * The wire: the sender writes one line of JSON, `{"t":"snapshot",
 * "name":NAME,"bytes":N}`, then N bytes of UTF-8; the window answers one
 * line, `{"ok":true}` once it has the snapshot, else `{"ok":false,
 * "error":WHY}`.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { checkSnapshotName, SNAPSHOT_MAX_BYTES, type HandedSnapshot } from '../contract';

/** Longest first line (the header) the window reads. */
export const MAX_HEADER = 1024;
/** A connection that sends nothing for this long is dropped; a send that gets no answer, given up. */
export const HANDOFF_IDLE_MS = 30_000;

/** Where runtime directories of logged-in users are (logind), and the fallback. */
export interface HandoffRoots {
  run: string;
  tmp: string;
}
const ROOTS: HandoffRoots = { run: '/run/user', tmp: '/tmp' };

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** A directory (not a link) that `uid` owns and nobody else may enter or read. */
function privateDirOf(st: Stats | undefined, uid: number): boolean {
  return st !== undefined && st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
}

/**
 * Where `uid`'s windows listen: `<run>/UID/graphns` when `<run>/UID` is
 * that user's private runtime directory, else `<tmp>/graphns-UID`. Only
 * the uid decides, not the environment: a second graphns under sudo (its
 * XDG_RUNTIME_DIR root's, or none) finds the same directory as one run by
 * the user.
 */
export function handoffDir(uid: number, roots: HandoffRoots = ROOTS): string {
  const runtime = join(roots.run, String(uid));
  return privateDirOf(lstatOrUndefined(runtime), uid)
    ? join(runtime, 'graphns')
    : join(roots.tmp, `graphns-${uid}`);
}

/**
 * Why `dir` must not be used as `uid`'s rendezvous, in one line; undefined
 * when it is that user's private directory.
 */
export function unsafeDir(dir: string, uid: number): string | undefined {
  const st = lstatOrUndefined(dir);
  if (!st) return `${dir} does not exist`;
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not ${uid}`;
  if ((st.mode & 0o077) !== 0) {
    return `${dir} is open to others (mode ${(st.mode & 0o777).toString(8)})`;
  }
  return undefined;
}

/** The display a window shows on, as a short name: DISPLAY and WAYLAND_DISPLAY, hashed. */
export function displayKey(env: NodeJS.ProcessEnv): string {
  const display = `${env.WAYLAND_DISPLAY ?? ''}\0${env.DISPLAY ?? ''}`;
  return createHash('sha256').update(display).digest('hex').slice(0, 16);
}

/** Whether a viewer with `env` takes part in handoffs (a headless one only with GRAPHNS_HANDOFF=1). */
export function handoffEnabled(env: NodeJS.ProcessEnv, headless: boolean): boolean {
  if (env.GRAPHNS_HANDOFF === '1') return true;
  return !headless && Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

const SOCKET = /^viewer-([0-9a-f]{16})-(\d{1,10})\.sock$/;

/** The socket's name for the window of process `pid` on display `key`. */
export function socketName(key: string, pid: number): string {
  return `viewer-${key}-${pid}.sock`;
}

/**
 * Snapshots handed to the window, waiting for the page to ask
 * (`nextSnapshot`). Only the latest one waits: the page shows one at a
 * time, and a second one handed over before the page asked replaces the
 * first.
 */
export class SnapshotInbox {
  #waiting: HandedSnapshot | undefined;
  readonly #askers = new Set<(s: HandedSnapshot | null) => void>();
  #closed = false;

  /** A snapshot for the page: to whoever asks now (every asker), else kept for the next. */
  push(s: HandedSnapshot): void {
    if (this.#closed) return;
    if (this.#askers.size === 0) {
      this.#waiting = s;
      return;
    }
    for (const answer of this.#askers) answer(s);
    this.#askers.clear();
  }

  /** The next snapshot, or null after `waitMs` without one (or once closed). */
  next(waitMs: number): Promise<HandedSnapshot | null> {
    const kept = this.#waiting;
    if (kept || this.#closed) {
      this.#waiting = undefined;
      return Promise.resolve(kept ?? null);
    }
    return new Promise((resolve) => {
      const answer = (s: HandedSnapshot | null) => {
        clearTimeout(timer);
        this.#askers.delete(answer);
        resolve(s);
      };
      const timer = setTimeout(() => answer(null), waitMs);
      this.#askers.add(answer);
    });
  }

  /** The window is closing: every asker gets null, nothing more is kept. */
  close(): void {
    this.#closed = true;
    this.#waiting = undefined;
    for (const answer of [...this.#askers]) answer(null);
  }
}

/** A window listening for snapshots. */
export interface SnapshotListener {
  /** Its socket. */
  path: string;
  /** Stop listening and remove the socket. */
  close(): void;
}

/**
 * Make `dir` (`uid`'s rendezvous) if missing, close it to others if it is
 * ours but open; why it cannot be used, when it cannot.
 */
function ownDir(dir: string, uid: number): string | undefined {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      return `cannot make ${dir}: ${(err as Error).message}`;
    }
  }
  const st = lstatOrUndefined(dir);
  if (st?.isDirectory() && st.uid === uid && (st.mode & 0o077) !== 0) {
    try {
      chmodSync(dir, 0o700);
    } catch {
      /* said below */
    }
  }
  return unsafeDir(dir, uid);
}

const answer = (socket: Socket, reply: { ok: true } | { ok: false; error: string }) =>
  socket.end(`${JSON.stringify(reply)}\n`);

/** The header line, checked: the name and the size that follows. */
function parseHeader(line: string): { name: string; bytes: number } | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'the first line is not JSON';
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || o.t !== 'snapshot' || Object.keys(o).length !== 3) {
    return 'expected {"t":"snapshot","name":…,"bytes":…}';
  }
  const { bytes } = o;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    return 'bytes is not a size';
  }
  if (bytes > SNAPSHOT_MAX_BYTES) {
    return `the snapshot is larger than ${SNAPSHOT_MAX_BYTES >> 20} MiB, the limit for a snapshot`;
  }
  try {
    return { name: checkSnapshotName(o.name), bytes };
  } catch (err) {
    return (err as Error).message;
  }
}

/** Read one snapshot from `socket` (a header line, then its bytes) and hand it on. */
function receive(socket: Socket, onSnapshot: (s: HandedSnapshot) => void): void {
  socket.setTimeout(HANDOFF_IDLE_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let header: { name: string; bytes: number } | undefined;
  const body: Buffer[] = [];
  let got = 0;
  let done = false;
  const fail = (error: string) => {
    done = true;
    answer(socket, { ok: false, error });
  };
  const take = (chunk: Buffer) => {
    got += chunk.length;
    if (header && got > header.bytes) return fail('more bytes than the header said');
    body.push(chunk);
    if (header && got === header.bytes) {
      done = true;
      onSnapshot({ name: header.name, text: Buffer.concat(body, got).toString('utf8') });
      answer(socket, { ok: true });
    }
  };
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    if (header) return take(chunk);
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(0x0a);
    if (nl < 0) {
      if (head.length > MAX_HEADER) fail('the header line is too long');
      return;
    }
    if (nl > MAX_HEADER) return fail('the header line is too long');
    const h = parseHeader(head.subarray(0, nl).toString('utf8'));
    if (typeof h === 'string') return fail(h);
    header = h;
    take(head.subarray(nl + 1));
  });
  socket.on('end', () => {
    if (!done) fail('the snapshot ended early');
  });
}

/** Listen on `path` with mode 0600 from the start (umask around the bind, which is synchronous). */
function listenPrivately(server: ReturnType<typeof createServer>, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const old = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
}

/**
 * Listen for snapshots handed to the window of this process (which runs
 * as `uid`, on the display `env` names): each one goes to `onSnapshot`.
 * Resolves with the listener, or with why there is none (the directory is
 * not the user's: said, and the window works without handoffs).
 */
export async function listenForSnapshots(o: {
  uid: number;
  env: NodeJS.ProcessEnv;
  onSnapshot: (s: HandedSnapshot) => void;
  roots?: HandoffRoots;
  pid?: number;
}): Promise<SnapshotListener | { problem: string }> {
  const dir = handoffDir(o.uid, o.roots);
  const problem = ownDir(dir, o.uid);
  if (problem) return { problem };
  const path = join(dir, socketName(displayKey(o.env), o.pid ?? process.pid));
  try {
    unlinkSync(path); // a socket a process of our pid left behind
  } catch {
    /* none */
  }
  const server = createServer((socket) => receive(socket, o.onSnapshot));
  try {
    await listenPrivately(server, path);
  } catch (err) {
    return { problem: `cannot listen on ${path}: ${(err as Error).message}` };
  }
  server.unref(); // the window's life decides the process's, not this socket
  let closed = false;
  return {
    path,
    close: () => {
      if (closed) return;
      closed = true;
      server.close();
      try {
        unlinkSync(path);
      } catch {
        /* gone already */
      }
      // and the directory, when no other window of the user's is in it: a run leaves
      // nothing in /tmp (ENOTEMPTY while another window listens there; a window starting
      // just now may then miss it, and works without handoffs, as it says)
      try {
        rmdirSync(dir);
      } catch {
        /* in use, or gone */
      }
    },
  };
}

/** The sockets of `uid`'s windows on `env`'s display, newest first; or why the directory is not to be used. */
export function handoffTargets(
  uid: number,
  env: NodeJS.ProcessEnv,
  roots?: HandoffRoots,
): { sockets: { path: string; pid: number }[] } | { problem: string } {
  const dir = handoffDir(uid, roots);
  if (!lstatOrUndefined(dir)) return { sockets: [] };
  const problem = unsafeDir(dir, uid);
  if (problem) return { problem };
  const key = displayKey(env);
  const found: { path: string; pid: number; mtime: number }[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { sockets: [] };
  }
  for (const name of names) {
    const m = SOCKET.exec(name);
    if (!m || m[1] !== key) continue;
    const path = join(dir, name);
    const st = lstatOrUndefined(path);
    // only a socket the user made (the directory is theirs: nobody else could)
    if (!st?.isSocket() || st.uid !== uid) continue;
    found.push({ path, pid: Number(m[2]), mtime: st.mtimeMs });
  }
  found.sort((a, b) => b.mtime - a.mtime);
  return { sockets: found.map(({ path, pid }) => ({ path, pid })) };
}

/** What became of a handoff. */
export type HandOverResult =
  { delivered: true; pid: number } | { delivered: false; problem?: string };

/** Send `s` over the socket at `path`; resolves with the window's answer, or why not. */
function sendTo(
  path: string,
  s: HandedSnapshot,
): Promise<{ ok: boolean; error?: string; code?: string }> {
  return new Promise((resolve) => {
    const body = Buffer.from(s.text, 'utf8');
    const socket = connect(path);
    let reply = '';
    let settled = false;
    const settle = (r: { ok: boolean; error?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(HANDOFF_IDLE_MS, () => settle({ ok: false, error: 'no answer' }));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      settle({ ok: false, error: err.message, code: err.code }),
    );
    socket.on('connect', () => {
      socket.write(`${JSON.stringify({ t: 'snapshot', name: s.name, bytes: body.length })}\n`);
      socket.write(body);
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      reply += d;
      const nl = reply.indexOf('\n');
      if (nl < 0 && reply.length < MAX_HEADER) return;
      try {
        const r = JSON.parse(reply.slice(0, nl < 0 ? undefined : nl)) as {
          ok?: unknown;
          error?: unknown;
        };
        settle(r.ok === true ? { ok: true } : { ok: false, error: String(r.error ?? 'refused') });
      } catch {
        settle({ ok: false, error: 'a malformed answer' });
      }
    });
    socket.on('close', () => settle({ ok: false, error: 'closed without an answer' }));
  });
}

/**
 * Hand `s` to the newest window of `uid` on `env`'s display that takes it.
 * Sockets nobody listens on any more (a window killed outright) are
 * removed when this process is that user. Not delivered: no window took
 * it (`problem` says why, when the rendezvous was unusable).
 */
export async function handOver(o: {
  uid: number;
  env: NodeJS.ProcessEnv;
  snapshot: HandedSnapshot;
  roots?: HandoffRoots;
}): Promise<HandOverResult> {
  const targets = handoffTargets(o.uid, o.env, o.roots);
  if ('problem' in targets) return { delivered: false, problem: targets.problem };
  const me = process.geteuid?.() ?? -1;
  let refused: string | undefined;
  for (const t of targets.sockets) {
    const r = await sendTo(t.path, o.snapshot);
    if (r.ok) return { delivered: true, pid: t.pid };
    if (r.code === 'ECONNREFUSED' && me === o.uid) {
      try {
        unlinkSync(t.path); // left by a window that is gone
      } catch {
        /* gone already */
      }
    } else if (!r.code) refused = r.error; // a window answered, and said no
  }
  return refused === undefined
    ? { delivered: false }
    : { delivered: false, problem: `the open window refused it: ${refused}` };
}
