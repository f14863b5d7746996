/**
 * /proc files a series of scans keeps open: each process's stat, schedstat
 * and cgroup file, opened once and read again with pread() at offset 0,
 * which makes the kernel print them anew (seq_file starts over at offset
 * 0). One system call per file and rescan instead of open, read and close.
 *
 * An open /proc/PID file pins the PID's `struct pid` only, not the process
 * or anything it holds: when the process ends, the read fails with ESRCH,
 * and a new process given the same PID is never read through the old fd
 * (the path is opened again). Files of processes a scan did not see are
 * closed at its end; all are closed by close() (a DiscoverySeries closes
 * its own), else when the HeldFiles is garbage-collected (the series of
 * `discover({ rescan })`, which nobody owns, ends with its last model).
 * They are close-on-exec (libuv opens everything so), so no child inherits
 * them, and all series of this process together never hold more than a
 * quarter of its fd limit, so the application keeps fds for everything else.
 *
 * The scan of our own process skips them (`isHeldHere`): they are /proc
 * files, never namespaces, so a fresh scan's model has nothing from them
 * either.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { readFdView, readProcView, type ReadStop, type Scratch } from './procfs';
import { isVanished } from './warnings';

/**
 * Every fd any HeldFiles of this process holds. Process-wide by what it
 * describes: the fds are this process's, whichever series holds them and
 * whichever procfs a scan reads, and the budget below is shared by all.
 */
const heldHere = new Set<number>();

/** Whether `fd` of this process is one a series holds (the scan of our own fd table skips it). */
export function isHeldHere(fd: number): boolean {
  return heldHere.has(fd);
}

const closing = new FinalizationRegistry<Map<string, number>>((fds) => {
  for (const fd of fds.values()) release(fd);
});

function release(fd: number): void {
  heldHere.delete(fd);
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * A quarter of the soft fd limit (Node raises it to the hard one at start),
 * at most 60000, as it is now: read for each series, since the limit may be
 * changed while the process runs.
 */
function fdBudget(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    if (Number.isSafeInteger(soft) && soft > 0) return Math.min(60_000, Math.floor(soft / 4));
  } catch {
    // keep the small budget
  }
  return 256;
}

/** Held files are read into a buffer of their own: a view from readProcView stays valid. */
const scratch: Scratch = { buf: Buffer.allocUnsafe(64 * 1024) };

/** The /proc files one series of scans keeps open. */
export class HeldFiles {
  readonly #fds = new Map<string, number>();
  /** Paths read during the current scan; the others are closed at its end. */
  #seen = new Set<string>();
  /** How many fds all series of this process may hold (read when this one starts). */
  readonly #budget = fdBudget();
  /** Closed for good: reads go through fresh fds, none is kept. */
  #closed = false;

  constructor() {
    closing.register(this, this.#fds, this);
  }

  /**
   * The file at `path` as readProcView gives it (a view valid until the
   * next read), through a held fd when there is one. Throws what a fresh
   * open and read would (ENOENT when the process is gone).
   */
  read(path: string, stop: ReadStop, owner?: { uid?: number }): Buffer {
    this.#seen.add(path);
    const held = this.#fds.get(path);
    if (held !== undefined) {
      try {
        // the owner as of now: fstat on /proc files asks the task (credentials, dumpable) each time
        if (owner) owner.uid = fstatSync(held).uid;
        return readAt(held, stop);
      } catch (err) {
        // the process ended (ESRCH): a process now on this PID is another one
        if (!isVanished(err)) throw err;
        this.#fds.delete(path);
        release(held);
      }
    }
    if (this.#closed || heldHere.size >= this.#budget) return readProcView(path, stop, owner);
    const fd = openSync(path, constants.O_RDONLY);
    this.#fds.set(path, fd);
    heldHere.add(fd);
    if (owner) owner.uid = fstatSync(fd).uid;
    return readAt(fd, stop);
  }

  /** End of a scan: close what it did not read (processes that ended). */
  endScan(): void {
    for (const [path, fd] of this.#fds) {
      if (this.#seen.has(path)) continue;
      this.#fds.delete(path);
      release(fd);
    }
    this.#seen = new Set();
  }

  /** Close everything now; later reads (a model of the series given as `previous`) hold nothing. */
  close(): void {
    this.#closed = true;
    for (const fd of this.#fds.values()) release(fd);
    this.#fds.clear();
    closing.unregister(this);
  }
}

/** pread from offset 0 into the held files' buffer, stopping as readProcView does. */
function readAt(fd: number, stop: ReadStop): Buffer {
  return readFdView(fd, stop, true, scratch);
}
