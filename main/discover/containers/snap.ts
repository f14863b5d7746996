/**
 * snaps. snapd tracks every app and hook it runs in a systemd unit named
 * after its security tag (read: snapd sandbox/cgroup/tracking.go and
 * securityTagFromCgroupPath in sandbox/cgroup/process.go):
 *   snap.<snap>.<app>.service           a service (systemd names it)
 *   snap.<snap>.<app>-<uuid>.scope      an app run (current snapd)
 *   snap.<snap>.<app>.<uuid>.scope      an app run (snapd before 2.4x)
 *   snap.<snap>.hook.<hook>-<uuid>.scope  a hook
 * `<snap>` is the instance name (`name` or `name_key`). Runs of one app
 * share its confinement (one AppArmor profile, the snap's one mount
 * namespace), so the id is the tag without `snap.` (`firefox.firefox`,
 * `lxd.daemon`) and every run of it is one container; the name is the
 * command a user types (snapd's JoinSnapApp: `firefox`, `lxd.lxc`).
 */
import { firstComponent } from './sandbox-common';
import type { ContainerSource, FoundContainer, ProcInfo } from './source';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// read: snapd snap/naming (ValidateInstance, ValidateApp, ValidateHook)
const SNAP = '[a-z0-9]+(?:-[a-z0-9]+)*(?:_[a-z0-9]{1,10})?';
const APP = '[A-Za-z0-9](?:-?[A-Za-z0-9])*';
const HOOK = '[a-z0-9]+(?:-[a-z0-9]+)*';
const TAG = `(${SNAP})\\.(?:hook\\.(${HOOK})|(${APP}))`;
const SERVICE = new RegExp(`^snap\\.${TAG}\\.service$`);
const SCOPE = new RegExp(`^snap\\.${TAG}[-.]${UUID}\\.scope$`);

/** A snapd unit name as the snap and its app or hook. */
export function parseSnapUnit(
  unit: string,
): { snap: string; app?: string; hook?: string } | undefined {
  const m = SCOPE.exec(unit) ?? SERVICE.exec(unit);
  if (!m || m[1] === undefined) return undefined;
  if (m[2] !== undefined) return { snap: m[1], hook: m[2] };
  if (m[3] !== undefined) return { snap: m[1], app: m[3] };
  return undefined;
}

/** The command that runs an app (snapd snap.JoinSnapApp). */
export function snapCommand(snap: string, app: string): string {
  const store = snap.split('_')[0];
  return store === app ? snap : `${snap}.${app}`;
}

export const snapSource: ContainerSource = {
  name: 'snap',
  scan(procs: readonly ProcInfo[]): FoundContainer[] {
    const found = new Map<string, FoundContainer>();
    for (const p of procs) {
      const unit = firstComponent(p, ['snap.'], (c) =>
        c.startsWith('snap.') ? parseSnapUnit(c) : undefined,
      );
      if (!unit) continue;
      const id =
        unit.hook !== undefined ? `${unit.snap}.hook.${unit.hook}` : `${unit.snap}.${unit.app}`;
      const c = found.get(id);
      if (c) c.pids.push(p.pid);
      else
        found.set(id, {
          engine: 'snap',
          id,
          name: unit.app !== undefined ? snapCommand(unit.snap, unit.app) : id,
          pids: [p.pid],
          sources: ['cgroup'],
        });
    }
    return [...found.values()];
  },
};
