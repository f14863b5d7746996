/**
 * The container sources, in the order they claim processes (source.ts):
 * cgroup-based engines first, then those that infer from argv or ancestry.
 */
import type { ContainerSource } from './source';

export const SOURCES: readonly ContainerSource[] = [
  // engines named by the cgroup path (OCI engines, LXC family, flatpak, snap, registered nspawn)
  // sandboxes inferred from argv or ancestry (unregistered nspawn, bubblewrap)
];
