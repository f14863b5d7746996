/**
 * Kubernetes pods by their kubepods cgroup (cgroup.ts: both drivers and
 * every QoS class). The scope's prefix says which runtime runs the
 * container (`cri-containerd-`, `crio-`, `docker-`); the cgroupfs form's
 * bare id says nothing, so containerd's `k8s.io` task is tried, then
 * CRI-O's bundle. The names come from the runtime's annotations
 * (containerd's `io.kubernetes.cri.*`, CRI-O's `io.kubernetes.cri-o.*`);
 * without them the container keeps its id and its pod the uid from the
 * cgroup path.
 */
import { classify } from './cgroup';
import { fillFromTask } from './containerd';
import { CONTAINERD_TASKS, containerdTasks } from './tasks';
import { fillFromCrio } from './crio';
import { dockerRoots, fillFromConfig } from './docker';
import { groupBy } from './oci';
import type { ContainerSource, FoundContainer } from './source';

export const kubernetes: ContainerSource = {
  name: 'kubernetes',
  scan(procs, ctx) {
    const groups = groupBy(procs, (p) => {
      const m = classify(p);
      return m?.kind === 'kubepods' ? m.id : undefined;
    });
    const out: FoundContainer[] = [];
    for (const [id, members] of groups) {
      const m = classify(members[0]!)!;
      if (m.kind !== 'kubepods') continue;
      const c: FoundContainer = {
        engine: m.runtime === 'cri-o' ? 'cri-o' : m.runtime === 'docker' ? 'docker' : 'kubernetes',
        id,
        pids: members.map((p) => p.pid),
        pod: { kind: 'kubernetes', name: m.podUid, id: m.podUid },
        sources: ['cgroup'],
      };
      const fromCgroup = c.pod!;
      if (m.runtime === 'docker') fillFromConfig(ctx, id, c, dockerRoots(procs, ctx));
      else if (
        m.runtime !== 'cri-o' &&
        fillFromTask(
          ctx,
          containerdTasks(procs, ctx).get(`k8s.io/${id}`) ?? {
            ns: 'k8s.io',
            id,
            dir: `${CONTAINERD_TASKS}/k8s.io/${id}`,
          },
          c,
        )
      ) {
        c.engine = 'kubernetes';
        c.engineNamespace = 'k8s.io';
      } else if (m.runtime !== 'containerd') fillFromCrio(ctx, id, c);
      // the uid in the cgroup path is the kernel's word; annotations only name the pod
      if (c.pod) c.pod = { ...c.pod, id: fromCgroup.id! };
      else c.pod = fromCgroup;
      out.push(c);
    }
    return out;
  },
};
