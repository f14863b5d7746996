/**
 * Who a container and a pod are, for discovery and every presentation
 * alike: a container's key, a pod's identity across its containers, and
 * the engine namespace (or LXD/Incus project) that tells apart containers
 * of one engine, where it is not the engine's default.
 */
import type { Container, ContainerKey, Engine, PodRef } from './types';

/**
 * Each engine's default namespace (containerd's `default`, the CRI
 * plugin's `k8s.io`, LXD's and Incus's `default` project): a container in
 * it is keyed and worded as if it had none.
 */
const DEFAULT_ENGINE_NAMESPACE: Readonly<Partial<Record<Engine, string>>> = {
  containerd: 'default',
  kubernetes: 'k8s.io',
  lxd: 'default',
  incus: 'default',
};

/** The container's engine namespace (or LXD/Incus project) when it is not its engine's default. */
export function ownEngineNamespace(c: Pick<Container, 'engine' | 'engineNamespace'>) {
  const ns = c.engineNamespace;
  return ns !== undefined && ns !== DEFAULT_ENGINE_NAMESPACE[c.engine] ? ns : undefined;
}

/**
 * A pod's identity across its containers: its kind, Kubernetes namespace
 * and name (`kubernetes:prod/cart-7d9f`, `podman:/shop`). Containers of one
 * pod are grouped, ordered and filtered by it.
 */
export function podKey(pod: PodRef): string {
  return `${pod.kind}:${pod.namespace ?? ''}/${pod.name}`;
}

/**
 * A container's key: `<engine>:<id>`, where ids are the engine's own. Two
 * engines' instances (a second dockerd, k3s's containerd beside the
 * system's) or two containerd namespaces may hold the same id, so those
 * are part of the key when they are not the default: `containerd:ns/id`
 * (a containerd id has no `/`), then `@<instance>`. Keys of the default
 * instance are what they were in every format version. (An LXD or Incus
 * id already holds its project: `<project>_<name>`.)
 */
export function containerKeyOf(
  c: Pick<Container, 'engine' | 'id' | 'engineNamespace' | 'instance'>,
): ContainerKey {
  const own =
    c.engine === 'containerd' || c.engine === 'kubernetes' ? ownEngineNamespace(c) : undefined;
  const ns = own !== undefined ? `${own}/` : '';
  const at = c.instance !== undefined ? `@${c.instance}` : '';
  return `${c.engine}:${ns}${c.id}${at}`;
}
