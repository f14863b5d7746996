/**
 * An rtnetlink socket bound in a chosen network namespace. A netlink
 * socket belongs to the namespace of the thread that creates it, for its
 * whole life: so the calling thread enters the namespace with setns(2)
 * just long enough to create the socket, and comes back before anything
 * else runs (JavaScript is single-threaded here; the calls are
 * synchronous). No process is started, nothing on the host is changed.
 *
 * Reading never blocks: every recv is MSG_DONTWAIT. The kernel produces a
 * dump's next part inside the recv that drained the last one
 * (netlink_recvmsg), so an empty queue before NLMSG_DONE means the answer
 * was cut short, which is an error here, not a wait.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { recv, send, setns, socket, systemError } from '../../native-shim';
import { NL, addrDump, errorOf, linkDump, messages, nsidOf, nsidRequest } from './rtnetlink';

const CLONE_NEWNET = 0x40000000;

/** The most messages one dump may give: a user can make many links in a namespace of theirs. */
export const MAX_DUMP_MESSAGES = 16384;

let home: number | undefined; // our thread's network namespace, to come back to

/** An fd of the calling thread's own network namespace (opened once, kept). */
function homeNetns(): number {
  home ??= openSync('/proc/thread-self/ns/net', 'r');
  return home;
}

/** What a dump gave: the payloads of its messages, and whether it was cut at MAX_DUMP_MESSAGES. */
export interface Dump {
  payloads: Buffer[];
  cut: boolean;
}

/**
 * One answer datagram (the kernel sends dump parts of at most 32 KiB),
 * shared by every socket: reads are synchronous and what is kept of an
 * answer is copied out before the next read (#dump), so one buffer does,
 * where one per socket cost a 64 KiB allocation per namespace and scan.
 */
const RECEIVE = Buffer.alloc(64 << 10);

/** An rtnetlink socket in one network namespace; close() it. */
export class Rtnl {
  readonly #fd: number;
  #seq = 0;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * A socket in the network namespace `nsFd` refers to (an fd opened on
   * nsfs), or in ours when undefined. Entering needs CAP_SYS_ADMIN over
   * that namespace's user namespace (EPERM otherwise).
   */
  static open(nsFd?: number): Rtnl {
    const create = () => socket(NL.AF_NETLINK, NL.SOCK_RAW | NL.SOCK_CLOEXEC, NL.NETLINK_ROUTE);
    const back = homeNetns();
    // our own namespace needs no setns (which wants CAP_SYS_ADMIN even for that)
    if (nsFd === undefined || fstatSync(nsFd).ino === fstatSync(back).ino)
      return new Rtnl(create());
    setns(nsFd, CLONE_NEWNET);
    try {
      return new Rtnl(create());
    } finally {
      // if this failed the whole process would go on in another namespace: never go on
      try {
        setns(back, CLONE_NEWNET);
      } catch (err) {
        process.stderr.write(`graphns: cannot return to its network namespace: ${String(err)}\n`);
        process.abort();
      }
    }
  }

  /** Every link of the socket's namespace (RTM_NEWLINK payloads). */
  links(): Dump {
    const seq = ++this.#seq;
    return this.#dump(linkDump(seq), seq, NL.RTM_NEWLINK);
  }

  /** Every address of both families (RTM_NEWADDR payloads). */
  addresses(): Dump {
    const seq = ++this.#seq;
    return this.#dump(addrDump(seq), seq, NL.RTM_NEWADDR);
  }

  /**
   * The nsid the namespace `fd` has in the socket's namespace, or
   * undefined when it has none (never assigned by asking).
   */
  nsid(fd: number): number | undefined {
    const seq = ++this.#seq;
    send(this.#fd, nsidRequest(seq, fd));
    for (const m of this.#answer(seq)) {
      if (m.type === NL.NLMSG_ERROR) throw systemError(errorOf(m.payload), 'RTM_GETNSID');
      if (m.type === NL.RTM_NEWNSID) return nsidOf(m.payload);
    }
    return undefined;
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The messages of one answer datagram with sequence number `seq`. */
  #answer(seq: number) {
    const n = recv(this.#fd, RECEIVE, NL.MSG_DONTWAIT);
    const { list, truncated } = messages(RECEIVE.subarray(0, n));
    if (truncated) throw new Error('rtnetlink: a truncated answer');
    return list.filter((m) => m.seq === seq);
  }

  #dump(request: Buffer, seq: number, type: number): Dump {
    send(this.#fd, request);
    const payloads: Buffer[] = [];
    for (;;) {
      for (const m of this.#answer(seq)) {
        if (m.type === NL.NLMSG_DONE) return { payloads, cut: false };
        if (m.type === NL.NLMSG_ERROR) {
          const errno = errorOf(m.payload);
          if (errno !== 0)
            throw systemError(errno, type === NL.RTM_NEWLINK ? 'RTM_GETLINK' : 'RTM_GETADDR');
          continue;
        }
        if (m.type !== type) continue;
        if (payloads.length >= MAX_DUMP_MESSAGES) {
          this.#drain(seq);
          return { payloads, cut: true };
        }
        payloads.push(Buffer.from(m.payload)); // the receive buffer is reused
      }
    }
  }

  /** Read and drop the rest of a dump, so the socket can be asked again. */
  #drain(seq: number): void {
    for (;;) {
      try {
        if (this.#answer(seq).some((m) => m.type === NL.NLMSG_DONE)) return;
      } catch {
        return;
      }
    }
  }
}
