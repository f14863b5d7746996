/**
 * The nsenter(1) command line that enters a namespace, for the viewer's
 * copy button: text for a user to paste, never run by graphns. Built from
 * the model's facts about what holds the namespace, in the order that works
 * best: a process in it (`--target PID --net`), a thread of a process
 * elsewhere, an open fd, a bind mount; a hidden namespace (nothing holds
 * it) cannot be entered, and the answer says why.
 *
 * Paths come from the system (mount points) and are hostile: they are
 * quoted for a POSIX shell, and any byte that is not printable ASCII is
 * written as bash's `$'\xNN'`, so what is pasted names exactly those bytes
 * and cannot run anything.
 */
import type { ModelGraph } from '../model/graph';
import { encodeBytes } from '../model/names';
import type { Namespace, NsTypeName } from '../model/types';
import { holderOf } from './holder';

/** nsenter's option for each type. */
const OPTION: Readonly<Record<NsTypeName, string>> = {
  mnt: '--mount',
  uts: '--uts',
  ipc: '--ipc',
  net: '--net',
  pid: '--pid',
  cgroup: '--cgroup',
  user: '--user',
  time: '--time',
};

/** A command to copy, or why there is none. */
export type NsenterLine = { text: string; via: string } | { unavailable: string };

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word holding exactly `s` (its bytes, where it has undecodable ones). */
export function shellWord(s: string): string {
  if (s !== '' && PLAIN.test(s)) return s;
  const bytes = encodeBytes(s);
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  if (printable) return `'${s.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const b of bytes) {
    if (b === 0x27 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/**
 * The mount point as the host's init sees it: the path itself where the
 * mount lives in PID 1's mount namespace, else through a member process's
 * root (`/proc/PID/root/...`), which reaches into the other mount namespace.
 */
function mountPath(g: ModelGraph, ns: Namespace): string | undefined {
  const initMnt = g.byPid.get(1)?.ns.mnt;
  for (const m of ns.mounts) if (m.mntns === initMnt) return m.path;
  for (const m of ns.mounts) {
    const holder = g.byKey.get(m.mntns)?.pids[0];
    if (holder !== undefined) return `/proc/${holder}/root${m.path}`;
  }
  return undefined;
}

/** The command line entering `ns` (run as root, from the host's PID namespace). */
export function nsenterLine(g: ModelGraph, ns: Namespace): NsenterLine {
  const opt = OPTION[ns.type];
  const h = holderOf(g, ns);
  switch (h.kind) {
    case 'process':
      return { text: `nsenter --target ${h.pid} ${opt}`, via: `process ${h.pid}` };
    case 'thread':
      return {
        text: `nsenter ${opt}=/proc/${h.pid}/task/${h.tid}/ns/${ns.type}`,
        via: `thread ${h.tid} of process ${h.pid}`,
      };
    case 'fd':
      return {
        text: `nsenter ${opt}=/proc/${h.pid}/fd/${h.fd}`,
        via: `fd ${h.fd} of process ${h.pid}`,
      };
    case 'mount': {
      const path = mountPath(g, ns);
      if (path !== undefined)
        return { text: `nsenter ${opt}=${shellWord(path)}`, via: 'its bind mount' };
    }
  }
  return {
    unavailable:
      'no process, thread, fd or bind mount holds it: nsenter needs a file that refers to it',
  };
}
