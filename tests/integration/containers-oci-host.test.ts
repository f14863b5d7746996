/**
 * discover() on this host: no false positives. Other engineers' tests may
 * be running real containers meanwhile, so instead of expecting [] the test
 * checks every container of the OCI engines against the engine's own state
 * on disk (its id has a directory there), and that this test's own process
 * and its ancestors, and every process in one of the host's own cgroups
 * (`/process_api/<hex>`, `/`), are in no OCI engine's container. When no engine has state, that
 * means containers [].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discover } from '../../main/discover';
import type { Container } from '../../main/model';
import { userHome } from '../../native-shim';

const OCI = new Set(['docker', 'podman', 'containerd', 'kubernetes', 'cri-o']);

/** Whether a podman storage root lists this id, whatever its driver. */
const inStorage = (root: string, id: string) =>
  list(root)
    .filter((d) => d.endsWith('-containers'))
    .some((d) => {
      try {
        return readFileSync(join(root, d, 'containers.json'), 'utf8').includes(`"${id}"`);
      } catch {
        return false;
      }
    });

/**
 * Whether the engine's own state has this container: in the default
 * instance's place, or in the instance the container names (a second
 * dockerd's data root, a k3s-like containerd's state beside its socket, a
 * podman's own root), or its user's (a rootless engine's). The layout tests
 * run such engines at the same time.
 */
function known(c: Container): boolean {
  const { engine, id, engineNamespace: ns, instance, owner } = c;
  const home = owner ? userHome(owner.uid) : undefined;
  if (engine === 'docker') {
    const root = instance ?? (home ? `${home}/.local/share/docker` : '/var/lib/docker');
    return existsSync(`${root}/containers/${id}`);
  }
  if (engine === 'podman')
    return inStorage(
      instance ??
        (home ? `${home}/.local/share/containers/storage` : '/var/lib/containers/storage'),
      id,
    );
  if (engine === 'containerd' || engine === 'kubernetes') {
    const state = instance ? dirname(instance) : '/run/containerd';
    return existsSync(`${state}/io.containerd.runtime.v2.task/${ns}/${id}`);
  }
  return false;
}

/** A nested engine's container (its state is inside the outer one): the kernel's cgroup path of its processes names it. */
const nestedKnown = (c: Container) =>
  c.pids.some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(c.id);
    } catch {
      return false; // ended meanwhile
    }
  });

const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

test('discover() here: OCI containers only where an engine has them, none for the host’s own processes', () => {
  const model = discover({ fds: false, mounts: false });
  assert.ok(model.processes.length > 0);
  const oci = model.containers.filter((c) => OCI.has(c.engine));
  for (const c of oci)
    assert.ok(c.outer ? nestedKnown(c) : known(c), `${c.key} is no real container`);
  const anyState =
    list('/var/lib/docker/containers').length > 0 ||
    list('/run/containerd/io.containerd.runtime.v2.task').some(
      (ns) => list(`/run/containerd/io.containerd.runtime.v2.task/${ns}`).length > 0,
    ) ||
    readFileSync('/var/lib/containers/storage/overlay-containers/containers.json', {
      encoding: 'utf8',
      flag: 'a+',
    }).includes('"id"');
  if (!anyState) assert.deepEqual(oci, []);

  const byPid = new Map(model.processes.map((p) => [p.pid, p]));
  for (let pid = process.pid; pid > 1;) {
    const p = byPid.get(pid);
    if (!p) break;
    assert.ok(
      !OCI.has(p.container?.split(':')[0] ?? ''),
      `ancestor ${pid} (${p.name}) in ${p.container}`,
    );
    pid = p.ppid;
  }
  for (const p of model.processes) {
    let text: string;
    try {
      text = readFileSync(`/proc/${p.pid}/cgroup`, 'latin1');
    } catch {
      continue; // exited
    }
    const paths = text
      .trim()
      .split('\n')
      .map((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1));
    // (argv-inferred sandboxes such as bubblewrap keep the host's cgroup: not this test's; nor a
    // rootless podman's container found from its user's conmon, which cgroupfs without
    // delegation leaves in the host's cgroup: the layouts test runs one meanwhile)
    const c = model.containers.find((x) => x.key === p.container);
    const rootlessByConmon = c?.owner !== undefined && c.sources.includes('conmon argv');
    if (paths.every((x) => x === '/' || x.startsWith('/process_api/')) && !rootlessByConmon)
      assert.ok(
        !OCI.has(p.container?.split(':')[0] ?? ''),
        `${p.pid} (${p.name}) in ${p.container}`,
      );
  }
  assert.deepEqual(
    model.warnings.filter((w) => /cgroup/.test(w)),
    [],
  );
});

test('discover({ containers: false }) skips the step', () => {
  const model = discover({ containers: false, fds: false, mounts: false });
  assert.deepEqual(model.containers, []);
  assert.ok(model.processes.every((p) => p.container === undefined));
});
