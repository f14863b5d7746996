/**
 * CRI-O: where it keeps a container's OCI spec and runtime state. Its
 * bundle is the container's run directory in containers/storage,
 * `/run/containers/storage/overlay-containers/<id>/userdata/config.json`
 * (cri-o internal/storage/runtime.go: RunDir), whose annotations are
 * `io.kubernetes.cri-o.*` (cri-o pkg/annotations/internal.go) plus the
 * kubelet's; runc's state for it is `/run/runc/<id>/state.json` (runc's
 * default root). Not packaged in Debian 12: shapes from those sources.
 */
import { bundleAnnotations, describe, stateLabels } from './oci';
import type { FoundContainer, ScanContext } from './source';

export const CRIO_RUN = '/run/containers/storage/overlay-containers';
export const RUNC_ROOT = '/run/runc';

/** Fill `c` from CRI-O's bundle (or runc's state); whether they proved it CRI-O's. */
export function fillFromCrio(ctx: ScanContext, id: string, c: FoundContainer): boolean {
  let ann = bundleAnnotations(ctx, `${CRIO_RUN}/${id}/userdata`);
  let from = 'config.json';
  if (!ann) {
    ann = stateLabels(ctx, `${RUNC_ROOT}/${id}`);
    from = 'state.json';
  }
  if (!ann) return false;
  const d = describe(ann);
  if (d.engine !== 'cri-o') return false;
  c.engine = 'cri-o';
  c.sources.push(from);
  if (d.name !== undefined) c.name = d.name;
  if (d.pod) c.pod = { ...d.pod, ...(c.pod?.id !== undefined ? { id: c.pod.id } : {}) };
  if (d.sandbox !== undefined) c.sandbox = d.sandbox;
  return true;
}
