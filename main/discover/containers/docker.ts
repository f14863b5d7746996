/**
 * Docker: the cgroup path gives the id (`/docker/<id>`, `docker-<id>.scope`);
 * `<data-root>/containers/<id>/config.v2.json` (moby container/container.go,
 * written by the daemon for each container) gives `Name` ("/web") and
 * `Config.Labels` (compose project and service). Read once per container
 * id per scan; no daemon is asked.
 *
 * The data root is `/var/lib/docker` unless a daemon was told otherwise:
 * every dockerd of root's says where its own is (`--data-root`, or `-g`
 * from before Docker 17), so a second daemon, or one whose data moved to
 * another disk, is read where it keeps its containers.
 */
import { classify } from './cgroup';
import { command, describe, field, groupBy, option, readJson, str, stringMap } from './oci';
import type { ContainerSource, FoundContainer, ProcInfo, ScanContext } from './source';

export const DOCKER_ROOT = '/var/lib/docker';

const roots = new WeakMap<ScanContext, string[]>();

/** The data roots the dockerds of `uid` were given (`--data-root`, `-g`, `--graph`), once each. */
export function daemonDataRoots(
  procs: readonly ProcInfo[],
  ctx: ScanContext,
  uid: number,
): string[] {
  const out: string[] = [];
  for (const p of procs) {
    if (p.uid !== uid || p.name !== 'dockerd') continue;
    const argv = ctx.argv(p.pid);
    if (!argv || command(argv) !== 'dockerd') continue;
    const dir = option(argv, '-g', '--data-root') ?? option(argv, '-g', '--graph');
    // an absolute path without `..`: the daemon's own words, but no way out of it
    if (dir !== undefined && dir.startsWith('/') && !dir.split('/').includes('..')) {
      const clean = dir.replace(/\/+$/, '') || '/';
      if (!out.includes(clean)) out.push(clean);
    }
  }
  return out;
}

/** The data roots of this scan's dockerds (root's only), the default first. */
export function dockerRoots(procs: readonly ProcInfo[], ctx: ScanContext): string[] {
  let out = roots.get(ctx);
  if (!out) {
    out = [DOCKER_ROOT, ...daemonDataRoots(procs, ctx, 0).filter((d) => d !== DOCKER_ROOT)];
    roots.set(ctx, out);
  }
  return out;
}

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
      const root = fillFromConfig(ctx, id, c, dockerRoots(procs, ctx));
      if (root !== undefined && root !== DOCKER_ROOT) c.instance = root;
      out.push(c);
    }
    return out;
  },
};

/**
 * Name, compose project (and a dockershim pod) from the container's
 * config.v2.json, in the first of `dataRoots` that has it; returns that
 * data root (which daemon's container it is), or undefined.
 */
export function fillFromConfig(
  ctx: ScanContext,
  id: string,
  c: FoundContainer,
  dataRoots: readonly string[] = [DOCKER_ROOT],
  owner?: number,
): string | undefined {
  let config: unknown;
  let found: string | undefined;
  for (const root of dataRoots) {
    config = readJson(ctx, `${root}/containers/${id}/config.v2.json`, undefined, owner);
    if (config !== undefined) {
      found = root;
      break;
    }
  }
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
  return found;
}
