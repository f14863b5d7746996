/**
 * systemd-nspawn, registered with machined and not.
 *
 * Registered, machined puts the container in `machine-<name>.scope`
 * (read: systemd src/machine/machine.c, machine_start_scope: the name
 * through unit_name_escape), or, run as `systemd-nspawn@<name>.service`
 * with --keep-unit, leaves it in that unit, where nspawn splits the
 * supervisor (`/supervisor`) from the container (`/payload`) on a unified
 * hierarchy (read: src/nspawn/nspawn.c, create_subcgroup). machined also
 * registers VMs and libvirt containers in `machine-*.scope`, so a scope is
 * nspawn's when machined's state file `/run/systemd/machines/<name>` says
 * `SERVICE=systemd-nspawn`, or, without that file, when the scope's first
 * process is a child of a systemd-nspawn process.
 *
 * Unregistered (`--register=no`, no systemd here), the caller's cgroup gets
 * `payload` and `supervisor` children (seen: `0::/payload`, `0::/supervisor`
 * on nspawn 252) and nothing names the machine: the name comes from the
 * supervisor's argv as nspawn itself decides it (determine_names): `-M`,
 * else the image's basename without `.raw`, else the directory's basename,
 * or the host's name when the directory is `/`. Its members are the
 * supervisor's descendants in its `payload` (or, without the split, in
 * other namespaces than the supervisor). The id is the machine name; a
 * second unregistered container of the same name gets `<name>@<pid>`.
 */
import { basename } from 'node:path';
import {
  cgroupPaths,
  firstComponent,
  hasAncestor,
  nsDiffer,
  procLink,
  procTree,
  unescapeUnit,
  type ProcTree,
} from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

const SUPERVISOR = 'systemd-nspawn';

/** getopt's short options of nspawn 252 (`+hD:u:abL:M:jS:Z:qi:xp:nUE:P`): those taking an argument. */
const SHORT_WITH_ARG = new Set('DuLMSZipE');
/** Long options without an argument, or with an optional one (given only as `--x=v`). */
const LONG_NO_ARG = new Set([
  'help',
  'version',
  'ephemeral',
  'private-network',
  'as-pid2',
  'boot',
  'read-only',
  'quiet',
  'share-system',
  'keep-unit',
  'network-veth',
  'pipe',
  'no-pager',
  'volatile',
  'private-users',
  'private-users-chown',
]);

/** The options of an nspawn command line that decide its machine name. */
export interface NspawnArgs {
  machine?: string;
  directory?: string;
  image?: string;
}

/**
 * Parse nspawn's argv the way its getopt does (`+`: options end at the
 * first non-option, or `--`), so the payload's own arguments are never
 * taken for nspawn's. The last of a repeated option wins, as in nspawn.
 */
export function parseNspawnArgs(argv: readonly string[]): NspawnArgs {
  const out: NspawnArgs = {};
  const set = (opt: string, value: string) => {
    if (opt === 'M' || opt === 'machine') out.machine = value;
    else if (opt === 'D' || opt === 'directory') out.directory = value;
    else if (opt === 'i' || opt === 'image') out.image = value;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        set(a.slice(2, eq), a.slice(eq + 1));
        continue;
      }
      const opt = a.slice(2);
      if (LONG_NO_ARG.has(opt)) continue;
      if (i + 1 >= argv.length) break;
      set(opt, argv[++i] ?? '');
      continue;
    }
    if (a.length < 2 || a[0] !== '-') break; // the payload's command
    // a cluster of short options: -abM name, -Mname
    for (let j = 1; j < a.length; j++) {
      const opt = a.charAt(j);
      if (!SHORT_WITH_ARG.has(opt)) continue;
      if (j + 1 < a.length) set(opt, a.slice(j + 1));
      else if (i + 1 < argv.length) set(opt, argv[++i] ?? '');
      break;
    }
  }
  return out;
}

/** The machine name nspawn gives itself for these arguments (determine_names). */
export function machineName(
  args: NspawnArgs,
  hostname: () => string | undefined,
  cwd: () => string | undefined,
): string | undefined {
  if (args.machine) return args.machine;
  if (args.image) return basename(args.image).replace(/\.raw$/, '') || undefined;
  const dir = args.directory ?? cwd();
  if (dir === undefined) return undefined;
  if (dir.replace(/\/+$/, '') === '') return hostname();
  return basename(dir) || undefined;
}

/** Read `KEY=value` lines of a machined state file. */
function stateValue(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(key + '=')) return line.slice(key.length + 1);
  }
  return undefined;
}

type Registered = { name: string; unit: 'scope' | 'service' };

function registeredUnit(proc: ProcInfo): Registered | undefined {
  return firstComponent(
    proc,
    ['machine-', 'systemd-nspawn@'],
    (c, i, parts): Registered | undefined => {
      if (c.startsWith('machine-') && c.endsWith('.scope') && c.length > 14) {
        return { name: unescapeUnit(c.slice(8, -6)), unit: 'scope' };
      }
      const pre = 'systemd-nspawn@';
      if (c.startsWith(pre) && c.endsWith('.service') && c.length > pre.length + 8) {
        if (parts[i + 1] === 'supervisor') return undefined; // nspawn itself, not the container
        return { name: unescapeUnit(c.slice(pre.length, -8)), unit: 'service' };
      }
      return undefined;
    },
  );
}

/** Machine names that cannot be file names under /run/systemd/machines. */
const unsafeFileName = (n: string) =>
  n.includes('/') || n === '.' || n === '..' || n.includes('\0');

export const nspawnRegisteredSource: ContainerSource = {
  name: 'nspawn',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    let tree: ProcTree | undefined; // only when a scope has no state file
    const found = new Map<string, FoundContainer & { unit: 'scope' | 'service' }>();
    for (const p of procs) {
      const unit = registeredUnit(p);
      if (!unit) continue;
      // the service's own supervisor when nspawn did not split the unit (v1)
      if (unit.unit === 'service' && p.name === SUPERVISOR) continue;
      const c = found.get(unit.name);
      if (c) c.pids.push(p.pid);
      else
        found.set(unit.name, {
          engine: 'nspawn',
          id: unit.name,
          name: unit.name,
          pids: [p.pid],
          sources: ['cgroup'],
          unit: unit.unit,
        });
    }
    const out: FoundContainer[] = [];
    for (const { unit, ...c } of found.values()) {
      if (unit === 'scope') {
        const state = unsafeFileName(c.id)
          ? undefined
          : ctx.readText(`/run/systemd/machines/${c.id}`, 64 * 1024);
        if (state !== undefined) {
          if (stateValue(state, 'SERVICE') !== SUPERVISOR) continue; // a VM or libvirt's
          c.sources.push('machined state');
        } else {
          const t = (tree ??= procTree(procs));
          const parentIsNspawn = c.pids.some((pid) => {
            const parent = t.byPid.get(t.byPid.get(pid)?.ppid ?? -1);
            return parent?.name === SUPERVISOR;
          });
          if (!parentIsNspawn) continue;
          c.sources.push('systemd-nspawn parent');
        }
      }
      out.push(c);
    }
    return out;
  },
};

export const nspawnUnregisteredSource: ContainerSource = {
  name: 'nspawn (unregistered)',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const supervisors = procs.filter((p) => p.name === SUPERVISOR);
    if (supervisors.length === 0) return [];
    const tree = procTree(procs);
    const isSupervisor = new Set(supervisors.map((p) => p.pid));
    const claimed = new Set<number>();
    const out: FoundContainer[] = [];
    const ids = new Set<string>();
    for (const s of supervisors) {
      if (claimed.has(s.pid) || hasAncestor(tree.byPid, s, isSupervisor)) continue; // nested
      // `<caller's cgroup>/supervisor` on any hierarchy: the container is in `…/payload`
      const payloads = cgroupPaths(s)
        .filter((q) => /(^|\/)supervisor$/.test(q))
        .map((q) => q.replace(/supervisor$/, 'payload'));
      const split = payloads.length > 0;
      const pids: number[] = [];
      for (const d of tree.descendants(s.pid)) {
        const inside = split
          ? cgroupPaths(d).some((q) => payloads.some((y) => q === y || q.startsWith(y + '/')))
          : nsDiffer(ctx, d.pid, s.pid) !== false;
        if (inside) pids.push(d.pid);
      }
      if (pids.length === 0) continue; // still starting, or a `--help`
      for (const pid of pids) claimed.add(pid);
      const argv = ctx.argv(s.pid);
      const name = argv
        ? machineName(
            parseNspawnArgs(argv),
            () => ctx.readText('/proc/sys/kernel/hostname', 4096)?.trim() || undefined,
            () => procLink(ctx, s.pid, 'cwd'),
          )
        : undefined;
      let id = name ?? String(s.pid);
      if (ids.has(id)) id = `${id}@${s.pid}`;
      ids.add(id);
      const c: FoundContainer = {
        engine: 'nspawn',
        id,
        pids,
        sources: [split ? 'cgroup' : 'namespaces', 'systemd-nspawn argv'],
      };
      if (name !== undefined) c.name = name;
      out.push(c);
    }
    return out;
  },
};
