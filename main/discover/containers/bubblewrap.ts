/**
 * bubblewrap sandboxes. bwrap changes no cgroup (seen): the outer `bwrap`
 * stays in its caller's namespaces and monitors a child it cloned into new
 * ones (always a new mount namespace; read: bubblewrap.c, raw_clone with
 * CLONE_NEWNS), which, with a PID namespace, forks the command under an
 * inner `bwrap` acting as init (seen: bwrap -> bwrap -> sleep). So a
 * sandbox is the outermost bwrap process and those of its descendants
 * whose namespaces differ from its own (all of them, when /proc does not
 * say). The id is the outer bwrap's PID; the name is its `--hostname`,
 * else `bwrap <pid>`.
 *
 * flatpak runs its apps through bwrap too; its source comes earlier (the
 * app's cgroup scope names it) and claims them first.
 */
import { hasAncestor, nsDiffer, procTree } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

/** How many arguments each bwrap 0.8 option takes (read: bubblewrap.c, parse_args_recurse). */
const ARITY = new Map<string, number>();
for (const [n, names] of [
  [
    0,
    'help version level-prefix unshare-all unshare-user unshare-user-try unshare-ipc unshare-pid ' +
      'unshare-net unshare-uts unshare-cgroup unshare-cgroup-try share-net clearenv as-pid-1 ' +
      'die-with-parent new-session disable-userns assert-userns-disabled',
  ],
  [
    1,
    'args argv0 chdir remount-ro proc dev tmpfs mqueue dir lock-file sync-fd seccomp ' +
      'add-seccomp-fd info-fd json-status-fd block-fd userns-block-fd userns userns2 pidns ' +
      'unsetenv uid gid hostname exec-label file-label cap-add cap-drop perms size overlay-src ' +
      'tmp-overlay ro-overlay',
  ],
  [
    2,
    'bind bind-try dev-bind dev-bind-try ro-bind ro-bind-try bind-fd ro-bind-fd file bind-data ' +
      'ro-bind-data symlink setenv chmod',
  ],
  [3, 'overlay'],
] as const) {
  for (const name of names.split(' ')) ARITY.set('--' + name, n);
}

/**
 * The sandbox's hostname from bwrap's argv: the last `--hostname` among
 * bwrap's own options (options end at the command, at `--`, or at an
 * option this table does not know, where bwrap itself would stop).
 */
export function bwrapHostname(argv: readonly string[]): string | undefined {
  let hostname: string | undefined;
  for (let i = 1; i < argv.length;) {
    const a = argv[i] ?? '';
    const n = ARITY.get(a);
    if (n === undefined) break; // `--`, the command, or unknown
    if (i + n >= argv.length) break; // cut short: bwrap would refuse it
    if (a === '--hostname') hostname = argv[i + 1];
    i += 1 + n;
  }
  return hostname;
}

export const bubblewrapSource: ContainerSource = {
  name: 'bubblewrap',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const bwraps = new Set(procs.filter((p) => p.name === 'bwrap').map((p) => p.pid));
    if (bwraps.size === 0) return [];
    const tree = procTree(procs);
    const out: FoundContainer[] = [];
    for (const pid of bwraps) {
      const root = tree.byPid.get(pid);
      if (!root || hasAncestor(tree.byPid, root, bwraps)) continue; // nested: the outer one's
      const pids = tree
        .descendants(pid)
        .filter((d) => nsDiffer(ctx, d.pid, pid) !== false)
        .map((d) => d.pid);
      if (pids.length === 0) continue; // not yet cloned, or a `bwrap --version`
      const argv = ctx.argv(pid);
      const hostname = argv ? bwrapHostname(argv) : undefined;
      out.push({
        engine: 'bubblewrap',
        id: String(pid),
        name: hostname || `bwrap ${pid}`, // an empty --hostname names nothing
        pids,
        sources: argv ? ['bwrap argv', 'namespaces'] : ['namespaces'],
      });
    }
    return out;
  },
};
