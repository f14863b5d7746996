/**
 * The container sources, in the order they claim processes (source.ts):
 * cgroup-based engines first, then those that infer from argv or ancestry.
 */
import { conmonSource } from './conmon';
import { nestedSource } from './nested';
import { rootlessDockerSource } from './rootless-docker';
import { containerd } from './containerd';
import { docker } from './docker';
import { kubernetes } from './kubernetes';
import { podman } from './podman';
import type { ContainerSource } from './source';
import { bubblewrapSource } from './bubblewrap';
import { flatpakSource } from './flatpak';
import { lxcSource } from './lxc';
import { nspawnRegisteredSource, nspawnUnregisteredSource } from './nspawn';
import { snapSource } from './snap';

export const SOURCES: readonly ContainerSource[] = [
  nestedSource, // an engine inside a container: its containers, before the outer one claims them
  // engines named by the cgroup path (OCI engines, LXC family, flatpak, snap, registered nspawn)
  kubernetes, // before docker: a dockershim pod member's scope is docker-<id>.scope too
  docker,
  podman,
  conmonSource, // podman containers no cgroup names (rootless without systemd): from their conmon
  rootlessDockerSource, // a user's dockerd: from that user's shims
  containerd, // last of the OCI engines: its path is only trusted with a running task
  lxcSource, // lxc.payload.<name>: LXC, LXD, Incus
  nspawnRegisteredSource, // machine-<name>.scope, systemd-nspawn@<name>.service
  flatpakSource, // before bubblewrap: flatpak's apps run in bwrap
  snapSource,
  // sandboxes inferred from argv or ancestry (unregistered nspawn, bubblewrap)
  nspawnUnregisteredSource, // before bubblewrap: a bwrap inside an nspawn container is nspawn's
  bubblewrapSource,
];
