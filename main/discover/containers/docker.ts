/**
 * Docker: the cgroup path gives the id (`/docker/<id>`, `docker-<id>.scope`);
 * `/var/lib/docker/containers/<id>/config.v2.json` (moby
 * container/container.go, written by the daemon for each container) gives
 * `Name` ("/web") and `Config.Labels` (compose project and service). Read
 * once per container id per scan; no daemon is asked.
 */
import { classify } from './cgroup';
import { describe, field, groupBy, readJson, str, stringMap } from './oci';
import type { ContainerSource, FoundContainer, ScanContext } from './source';

export const DOCKER_ROOT = '/var/lib/docker';

export const docker: ContainerSource = {
  name: 'docker',
  scan(procs, ctx) {
    const groups = groupBy(procs, (p) => {
      const m = classify(p);
      return m?.kind === 'docker' ? m.id : undefined;
    });
    const out: FoundContainer[] = [];
    for (const [id, members] of groups) {
      const c: FoundContainer = {
        engine: 'docker',
        id,
        pids: members.map((p) => p.pid),
        sources: ['cgroup'],
      };
      fillFromConfig(ctx, id, c);
      out.push(c);
    }
    return out;
  },
};

/** Name, compose project (and a dockershim pod) from the container's config.v2.json. */
export function fillFromConfig(ctx: ScanContext, id: string, c: FoundContainer): void {
  const config = readJson(ctx, `${DOCKER_ROOT}/containers/${id}/config.v2.json`);
  if (config !== undefined) {
    c.sources.push('config.v2.json');
    const name = str(field(config, 'Name'));
    // Docker keeps names with a leading '/' (a legacy of links)
    if (name !== undefined) c.name = name.startsWith('/') ? name.slice(1) || name : name;
    const labels = stringMap(field(field(config, 'Config'), 'Labels'));
    if (labels) {
      const d = describe(labels);
      if (d.compose) c.compose = d.compose;
      if (d.pod) c.pod = d.pod;
      if (d.sandbox) c.sandbox = true;
      if (c.name === undefined && d.name !== undefined) c.name = d.name;
    }
  }
}
