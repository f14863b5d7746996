/**
 * An rtnetlink socket bound in a chosen network namespace. A netlink
 * socket belongs to the namespace of the thread that creates it, for its
 * whole life: so the calling thread enters the namespace with setns(2)
 * just long enough to create the socket, and comes back before anything
 * else runs (JavaScript is single-threaded here; the calls are
 * synchronous). No process is started, and nothing on the host is
 * changed but one thing any rtnetlink reader (`ip link`) changes too:
 *
 * An RTM_GETLINK dump can assign a netns id. For a link whose other end is
 * in another namespace (a veth's peer, a macvlan's lower device, the
 * namespace a moved vxlan was made in), the kernel puts that namespace's id as seen from the
 * socket's namespace in the answer (IFLA_LINK_NETNSID), and it takes the
 * id with peernet2id_alloc (rtnl_fill_link_netnsid): where there is none
 * yet, one is assigned, stays until that namespace is gone, and is
 * announced (RTM_NEWNSID). Mostly the kernel has already assigned it
 * itself, when it announced the link (RTM_NEWLINK, built even with nobody
 * listening): at creation and at changes (set up or down, carrier, master,
 * a move into the namespace). It has not where a link was never announced
 * as it now is (seen on 6.18, tests/integration/net-race.test.ts):
 * - the end of a veth created straight into another namespace (`ip link
 *   add a type veth peer name b netns X`, run in W): b is announced in X
 *   before the pair is joined, so X has no id for W until b changes (is
 *   set up, say; container engines do that at once);
 * - a veth whose peer was moved on to a third namespace (`ip -n X link set
 *   b netns Y`): nothing is announced in W, which has no id for Y;
 * - a macvlan (by the same code a vlan, which this kernel cannot make)
 *   whose lower device was moved to another namespace: nothing is
 *   announced where the macvlan is.
 * There the first link dump in that namespace (X; W; the macvlan's)
 * assigns the id, exactly as `ip link show` there would. RTM_GETNSID (nsid(), the question wiring.ts asks)
 * only reads ids (peernet2id), and address dumps carry none.
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

  /** Every link of the socket's namespace (RTM_NEWLINK payloads); may assign a netns id (above). */
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
