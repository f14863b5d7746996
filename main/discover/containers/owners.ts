/**
 * Which processes a user's engine may speak for: that user's own (their
 * uid) and those of the subordinate uids /etc/subuid gives them, which
 * their rootless containers run as. A user's supervisor (conmon, a shim of
 * a rootless containerd) is believed for nothing else: not root's, not
 * another user's (a setuid program it started, say).
 */
import { userName } from '../../../native-shim';
import type { ScanContext } from './source';

/** Subordinate uid ranges by user name or uid, from /etc/subuid (root's file). */
function subordinateUids(ctx: ScanContext): Map<string, [start: number, count: number][]> {
  const out = new Map<string, [number, number][]>();
  for (const line of (ctx.readText('/etc/subuid', 1 << 20, 0) ?? '').split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (!who || !/^\d{1,10}$/.test(start ?? '') || !/^\d{1,10}$/.test(count ?? '')) continue;
    const list = out.get(who) ?? [];
    list.push([Number(start), Number(count)]);
    out.set(who, list);
  }
  return out;
}

/**
 * For one scan: the account a uid acts for, what a budget is kept per.
 * A user's subordinate uids are theirs (files a rootless container writes
 * in their home are owned by them), so one user cannot multiply a budget
 * by 65 536 uids. The account's user name where it has one, else the uid.
 */
export function accountOf(ctx: ScanContext): (uid: number) => string {
  let subuids: [who: string, start: number, count: number][] | undefined;
  const nameOf = (uid: number) => {
    try {
      return userName(uid) ?? String(uid);
    } catch {
      return String(uid);
    }
  };
  const memo = new Map<number, string>();
  return (uid) => {
    let account = memo.get(uid);
    if (account === undefined) {
      subuids ??= [...subordinateUids(ctx)].flatMap(([who, rs]) =>
        rs.map(([s, c]) => [who, s, c] as [string, number, number]),
      );
      const range = subuids.find(([, start, count]) => uid >= start && uid < start + count);
      account = range
        ? /^\d+$/.test(range[0])
          ? nameOf(Number(range[0]))
          : range[0]
        : nameOf(uid);
      memo.set(uid, account);
    }
    return account;
  };
}

/**
 * For one scan: whether a process of `uid` may belong to a container whose
 * supervisor runs as `owner` (root's may speak for anyone).
 */
export function userProcesses(
  ctx: ScanContext,
): (owner: number, uid: number | undefined) => boolean {
  let subuids: Map<string, [number, number][]> | undefined;
  const ranges = new Map<number, [number, number][]>();
  const rangesOf = (owner: number) => {
    let r = ranges.get(owner);
    if (r === undefined) {
      subuids ??= subordinateUids(ctx);
      let name: string | undefined;
      try {
        name = userName(owner);
      } catch {
        name = undefined;
      }
      r = [...(subuids.get(String(owner)) ?? []), ...(name ? (subuids.get(name) ?? []) : [])];
      ranges.set(owner, r);
    }
    return r;
  };
  return (owner, uid) => {
    if (owner === 0) return true;
    if (uid === undefined) return false;
    if (uid === owner) return true;
    return rangesOf(owner).some(([start, count]) => uid >= start && uid < start + count);
  };
}
