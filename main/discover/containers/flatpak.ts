/**
 * flatpak apps. `flatpak run` puts itself in a systemd scope
 * `app-flatpak-<app id, unit-escaped>-<its pid>.scope` and then becomes
 * the app's bwrap (read: flatpak common/flatpak-run.c,
 * flatpak_run_in_transient_unit: systemd_unit_name_escape(appid), getpid()).
 * Each run is its own sandbox, so the id is `<app id>-<pid>` and the name
 * the app id.
 *
 * flatpak also records every running instance in
 * `$XDG_RUNTIME_DIR/.flatpak/<instance>/`: `pid` holds that bwrap's PID,
 * `info` is the keyfile the app sees as /.flatpak-info, whose
 * `[Application] name=` is the app id (read: common/flatpak-instance.c).
 * The directories are read once per scan, for every uid under /run/user;
 * they confirm a scope, and name an instance that runs without a scope
 * (no systemd user session): its bwrap and all below it.
 */
import { firstComponent, procTree, unescapeUnit } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

const PREFIX = 'app-flatpak-';
const SUFFIX = '.scope';

/** `app-flatpak-org.gnome.Calculator-4242.scope` as app id and PID. */
export function parseFlatpakScope(unit: string): { app: string; pid: number } | undefined {
  if (!unit.startsWith(PREFIX) || !unit.endsWith(SUFFIX)) return undefined;
  const m = /^(.+)-([1-9]\d{0,9})$/.exec(unit.slice(PREFIX.length, -SUFFIX.length));
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { app: unescapeUnit(m[1]), pid: Number(m[2]) };
}

/** A key of a group of a GLib keyfile, unescaped as GKeyFile writes it. */
export function keyfileValue(text: string, group: string, key: string): string | undefined {
  let inGroup = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('[')) {
      inGroup = line.trimEnd() === `[${group}]`;
      continue;
    }
    if (!inGroup) continue;
    const eq = line.indexOf('=');
    if (eq < 0 || line.slice(0, eq).trim() !== key) continue;
    return line
      .slice(eq + 1)
      .trimStart()
      .replace(/\\([sntr\\])/g, (_, c: string) =>
        c === 's' ? ' ' : c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : '\\',
      );
  }
  return undefined;
}

interface Instance {
  dir: string;
  /** The bwrap it names. */
  pid: number;
  /** Whose runtime directory it is in: only that user's bwrap can be its app. */
  uid: number;
  app?: string;
}

/**
 * The most instance directories read per user and scan. Each is two small
 * files; a user can make thousands (17 000 once ran root out of memory),
 * and runs a few apps at a time.
 */
export const MAX_INSTANCES_PER_USER = 256;

/**
 * Every instance directory's bwrap PID and app id, once per scan, keyed by
 * PID and uid: a user's directory can only ever speak for that user's own
 * bwrap, and can neither relabel nor hide another's.
 */
function instances(ctx: ScanContext): Map<string, Instance> {
  const byPid = new Map<string, Instance>();
  for (const uid of ctx.list('/run/user')) {
    if (!/^\d{1,10}$/.test(uid)) continue;
    const base = `/run/user/${uid}/.flatpak`;
    // newest instance ids last: the ones read are the most recent
    const ids = ctx
      .list(base)
      .filter((inst) => /^\d{1,18}$/.test(inst)) // flatpak's instance ids are numbers
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    if (ids.length > MAX_INSTANCES_PER_USER) {
      ctx.warn(
        `${base} holds ${ids.length} flatpak instances: only the newest ${MAX_INSTANCES_PER_USER} are read`,
      );
    }
    for (const inst of ids.slice(-MAX_INSTANCES_PER_USER)) {
      const dir = `${base}/${inst}`;
      const pidText = ctx.readText(`${dir}/pid`, 64)?.trim();
      if (pidText === undefined) continue;
      if (!/^[1-9]\d{0,9}$/.test(pidText)) {
        ctx.warn(`${dir}/pid: not a PID`);
        continue;
      }
      const pid = Number(pidText);
      const info = ctx.readText(`${dir}/info`, 256 * 1024);
      const app = info !== undefined ? keyfileValue(info, 'Application', 'name') : undefined;
      const entry: Instance = { dir, pid, uid: Number(uid) };
      if (app !== undefined) entry.app = app;
      if (!byPid.has(`${pid}:${uid}`)) byPid.set(`${pid}:${uid}`, entry);
    }
  }
  return byPid;
}

export const flatpakSource: ContainerSource = {
  name: 'flatpak',
  scan(procs: readonly ProcInfo[], ctx: ScanContext): FoundContainer[] {
    const found = new Map<string, FoundContainer>();
    const scopePids = new Set<number>();
    for (const p of procs) {
      const scope = firstComponent(p, ['app-flatpak-'], (c) => parseFlatpakScope(c));
      if (!scope) continue;
      const id = `${scope.app}-${scope.pid}`;
      const c = found.get(id);
      if (c) c.pids.push(p.pid);
      else {
        found.set(id, {
          engine: 'flatpak',
          id,
          name: scope.app,
          pids: [p.pid],
          sources: ['cgroup'],
        });
        scopePids.add(scope.pid);
      }
    }
    // instance directories matter only for a bwrap (or a scope) to confirm
    if (found.size === 0 && !procs.some((p) => p.name === 'bwrap' || p.name === 'flatpak-bwrap'))
      return [];
    const byPid = instances(ctx);
    const uidOf = new Map(procs.map((p) => [p.pid, p.uid]));
    for (const c of found.values()) {
      const pid = Number(c.id.slice(c.id.lastIndexOf('-') + 1));
      if (byPid.get(`${pid}:${uidOf.get(pid)}`)?.app === c.name)
        c.sources.push('flatpak instance info');
    }
    // instances without a scope: the bwrap flatpak started and all below it
    const claimed = new Set([...found.values()].flatMap((c) => c.pids));
    const tree = procTree(procs);
    const byNumber = [...byPid.values()].map((inst) => [inst.pid, inst] as const);
    for (const [pid, inst] of byNumber.sort((a, b) => a[0] - b[0])) {
      const bwrap = tree.byPid.get(pid);
      if (!bwrap || scopePids.has(pid) || claimed.has(pid) || inst.app === undefined) continue;
      // instance directories outlive their app until flatpak's next cleanup,
      // so a recycled PID must still be a bwrap to count
      if (bwrap.name !== 'bwrap' && bwrap.name !== 'flatpak-bwrap') continue;
      // a user's runtime directory names only that user's own sandboxes
      if (bwrap.uid !== inst.uid) continue;
      const pids = [pid, ...tree.descendants(pid).map((d) => d.pid)].filter((q) => !claimed.has(q));
      for (const q of pids) claimed.add(q);
      const id = `${inst.app}-${pid}`;
      found.set(id, {
        engine: 'flatpak',
        id,
        name: inst.app,
        pids,
        sources: ['flatpak instance info'],
      });
    }
    return [...found.values()];
  },
};
