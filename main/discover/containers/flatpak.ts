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
  app?: string;
}

/** Every instance directory's bwrap PID and app id, once per scan. */
function instances(ctx: ScanContext): Map<number, Instance> {
  const byPid = new Map<number, Instance>();
  for (const uid of ctx.list('/run/user')) {
    if (!/^\d+$/.test(uid)) continue;
    const base = `/run/user/${uid}/.flatpak`;
    for (const inst of ctx.list(base)) {
      if (!/^\d+$/.test(inst)) continue; // flatpak's instance ids are numbers
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
      byPid.set(pid, app !== undefined ? { dir, app } : { dir });
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
    const byPid = instances(ctx);
    for (const c of found.values()) {
      const pid = Number(c.id.slice(c.id.lastIndexOf('-') + 1));
      const inst = byPid.get(pid);
      if (inst?.app === c.name) c.sources.push('flatpak instance info');
    }
    // instances without a scope: the bwrap flatpak started and all below it
    const claimed = new Set([...found.values()].flatMap((c) => c.pids));
    const tree = procTree(procs);
    for (const [pid, inst] of [...byPid].sort((a, b) => a[0] - b[0])) {
      const bwrap = tree.byPid.get(pid);
      if (!bwrap || scopePids.has(pid) || claimed.has(pid) || inst.app === undefined) continue;
      // instance directories outlive their app until flatpak's next cleanup,
      // so a recycled PID must still be a bwrap to count
      if (bwrap.name !== 'bwrap' && bwrap.name !== 'flatpak-bwrap') continue;
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
