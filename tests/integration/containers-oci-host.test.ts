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
import { discover } from '../../main/discover';

const OCI = new Set(['docker', 'podman', 'containerd', 'kubernetes', 'cri-o']);

/** Whether the engine's own state has a directory for this id. */
function known(engine: string, id: string, ns?: string): boolean {
  const tasks = '/run/containerd/io.containerd.runtime.v2.task';
  if (engine === 'docker') return existsSync(`/var/lib/docker/containers/${id}`);
  if (engine === 'podman')
    return readFileSync(
      '/var/lib/containers/storage/overlay-containers/containers.json',
      'utf8',
    ).includes(`"${id}"`);
  if (engine === 'containerd' || engine === 'kubernetes') return existsSync(`${tasks}/${ns}/${id}`);
  return false;
}

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
    assert.ok(known(c.engine, c.id, c.engineNamespace), `${c.key} is no real container`);
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
    // (argv-inferred sandboxes such as bubblewrap keep the host's cgroup: not this test's)
    if (paths.every((x) => x === '/' || x.startsWith('/process_api/')))
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
