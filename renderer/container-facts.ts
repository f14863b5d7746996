/**
 * What the page's panels say about containers, in the words the tree and
 * the DOT use (main/emit/containers.ts): `container web1 (podman, pod
 * shop)`, `sandbox shop-infra (podman, pod shop)`, `container cart
 * (containerd, pod prod/cart) in container kind (podman)`; the facts the
 * details panel adds that one line leaves out; and which namespaces each
 * container is in. Pure: model in, strings and lists out.
 *
 * Every system string goes through escapeDisplay (PAGE_MARKS), so control
 * characters and bidi overrides show as visible escapes.
 */
import { containerWords, shortId, type ContainerWords, type Marks } from '../main/emit/containers';
import type { ModelGraph } from '../main/model/graph';
import { escapeDisplay } from '../main/model/names';
import { byTypeThenIno } from '../main/model/order';
import type { Container, ContainerKey, Namespace } from '../main/model/types';

/** How the page shows system strings inside container words: escaped, never quoted. */
export const PAGE_MARKS: Marks = { name: escapeDisplay, token: escapeDisplay, path: escapeDisplay };

/** Container words for one model (build once per model). */
export class ContainerText {
  readonly #words: ContainerWords;

  constructor(g: ModelGraph) {
    this.#words = containerWords(g);
  }

  /** One container in the shared words: `container web1 (podman, pod shop)`. */
  line(c: Container): string {
    return this.#words.list([c], PAGE_MARKS);
  }
}

/**
 * What the details panel says of a container beyond its line (`said`):
 * its engine's namespace when the line leaves it out (containerd's
 * `default`, an LXD project), its compose service, and its id when it
 * has a name (without one, the line names it by its id already).
 */
export function containerExtras(c: Container, said: string): string[] {
  const out: string[] = [];
  const ns = c.engineNamespace;
  if (ns !== undefined && !said.includes(`namespace ${escapeDisplay(ns)}`)) {
    out.push(`${c.engine} namespace ${escapeDisplay(ns)}`);
  }
  if (c.compose?.service !== undefined)
    out.push(`compose service ${escapeDisplay(c.compose.service)}`);
  if (c.name !== undefined) out.push(`id ${escapeDisplay(shortId(c.id))}`);
  return out;
}

/** User and PID namespaces first, as the filter bar lists the types; then by type and inode. */
function treeFirst(a: Namespace, b: Namespace): number {
  const tree = (n: Namespace) => (n.type === 'user' ? 0 : n.type === 'pid' ? 1 : 2);
  return tree(a) - tree(b) || byTypeThenIno(a, b);
}

/**
 * The namespaces each container is in: those of its processes, and those
 * where a thread of one sits (as graphOf's containersOf counts them),
 * user and PID namespaces first, then by type and inode.
 */
export function namespacesByContainer(g: ModelGraph): Map<ContainerKey, Namespace[]> {
  const out = new Map<ContainerKey, Namespace[]>();
  for (const ns of [...g.model.namespaces].sort(treeFirst)) {
    for (const c of g.containersOf(ns.key)) {
      const l = out.get(c.key);
      if (l) l.push(ns);
      else out.set(c.key, [ns]);
    }
  }
  return out;
}

/** The namespace that stands for a container when it is picked: its PID namespace, else its first. */
export function standsFor(namespaces: readonly Namespace[]): Namespace | undefined {
  return namespaces.find((n) => n.type === 'pid') ?? namespaces[0];
}
