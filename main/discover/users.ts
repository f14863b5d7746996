/**
 * Step 6 of discovery: user names through NSS (`getpwuid_r`) for the
 * owner uids of user namespaces, the uids of processes and the owners of
 * rootless containers. Asked every scan, never reused: a passwd change
 * during a viewer session is rare but real, and NSS may be a directory
 * service whose answers no file date reveals.
 */
import { userName } from '../../native-shim';
import type { Container, Process } from '../model/types';
import type { Registry } from './registry';
import type { Warnings } from './warnings';

/** User names for the owner uids of user namespaces and the uids of processes. */
export function resolveOwnerNames(
  registry: Registry,
  processes: readonly Process[],
  warnings: Warnings,
): void {
  const names = new Map<number, string | undefined>();
  const nameOf = (uid: number) => {
    if (!names.has(uid)) {
      try {
        names.set(uid, userName(uid));
      } catch (err) {
        warnings.addError('user name lookup failed', `uid ${uid}`, err);
        names.set(uid, undefined);
      }
    }
    return names.get(uid);
  };
  for (const { ns } of registry.entries.values()) {
    if (ns.ownerUid === undefined) continue;
    const name = nameOf(ns.ownerUid);
    if (name !== undefined) ns.ownerName = name;
  }
  for (const p of processes) {
    if (p.uid === undefined) continue;
    const name = nameOf(p.uid);
    if (name !== undefined) p.user = name;
  }
}

/** A rootless container's user name: as its processes' (already asked), else NSS now. */
export function nameContainerOwners(
  containers: readonly Container[],
  processes: readonly Process[],
): void {
  for (const c of containers) {
    if (!c.owner) continue;
    const uid = c.owner.uid;
    let user = processes.find((p) => p.uid === uid && p.user !== undefined)?.user;
    if (user === undefined) {
      try {
        user = userName(uid);
      } catch {
        // no name: the uid says it
      }
    }
    if (user !== undefined) c.owner.user = user;
  }
}
