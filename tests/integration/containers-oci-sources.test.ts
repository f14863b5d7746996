/**
 * The OCI engines' container sources (docker, podman, containerd,
 * kubernetes, CRI-O) over a temporary root shaped like a host: each state
 * file is in the shape its engine writes (the writer named at each), read
 * through the real liveContext and readRegularFile. Hostile inputs (names
 * with newlines and escapes, invalid JSON, huge files, a fifo in place of
 * a state file, a process posing as conmon) must cost a name, never the scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { liveContext, resolveContainers } from '../../main/discover/containers';
import type { CgroupLine, ProcInfo, ScanContext } from '../../main/discover/containers/source';
import { SOURCES } from '../../main/discover/containers/sources';
import { containerWords } from '../../main/emit/containers';
import { modelToDot } from '../../main/emit/dot';
import { graphOf } from '../../main/model';
import { isRoot, unmetNeed } from '../helpers/need';

const ID = '4f3c' + 'a'.repeat(56) + '0001';
const ID2 = '4f3c' + 'b'.repeat(56) + '0002';
const POD = 'd'.repeat(60) + 'beef';
const UID = '5f3e2a1b-0c4d-4e8f-9a7b-6c5d4e3f2a1b';

/** Why the tests that give state files to another uid cannot run (under CI=true: a failure). */
const needRootToChown = unmetNeed(!isRoot && 'needs root to give files to another uid');

/** A temporary host root; files are written at their host paths under it. */
function hostRoot(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'graphns-containers-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  return { root, put };
}

/** A process whose cgroup lines are this host's hybrid layout with `path` in the v1 hierarchies. */
// uid 0 unless said: the rootful engines' processes (a rootless scene passes its user's)
const proc = (pid: number, ppid: number, path: string, name = 'sleep', uid = 0): ProcInfo => ({
  pid,
  ppid,
  name,
  uid,
  cgroups: [
    { hierarchy: 9, controllers: 'name=systemd', path },
    { hierarchy: 8, controllers: 'pids', path },
    { hierarchy: 4, controllers: 'memory', path },
    { hierarchy: 0, controllers: '', path: '/' },
  ] satisfies CgroupLine[],
});

/** The live context over `root`, with argv given per PID (conmon's, shims'). */
function context(root: string, argv: Record<number, string[]> = {}) {
  const warnings: string[] = [];
  const live = liveContext({ root, warn: (m) => warnings.push(m) });
  const ctx: ScanContext = { ...live, argv: (pid) => argv[pid] };
  return { ctx, warnings };
}

const run = (procs: ProcInfo[], ctx: ScanContext) => resolveContainers(procs, ctx, SOURCES);

// moby container/container.go (CommonContainer, written as config.v2.json by the daemon)
const dockerConfig = (name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    StreamConfig: {},
    State: { Running: true, Paused: false, Pid: 2001, ExitCode: 0 },
    ID,
    Created: '2026-12-01T10:00:00.000000000Z',
    Path: '/bin/sleep',
    Args: ['100100'],
    Config: { Hostname: ID.slice(0, 12), Image: 'bb:1', Labels: labels },
    Image: 'sha256:' + 'e'.repeat(64),
    Name: name,
    Driver: 'overlay2',
    RestartCount: 0,
  });

test('docker: name without its leading "/", compose project and service, one read per id', (t) => {
  const { root, put } = hostRoot(t);
  put(
    `/var/lib/docker/containers/${ID}/config.v2.json`,
    dockerConfig('/web', {
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'web',
    }),
  );
  const { ctx, warnings } = context(root);
  const procs = [
    proc(2001, 1990, `/docker/${ID}`),
    proc(2002, 2001, `/docker/${ID}`),
    proc(2100, 1, `/system.slice/docker-${ID2}.scope`),
    proc(3000, 1, '/system.slice/docker.service', 'dockerd'),
  ];
  assert.deepEqual(run(procs, ctx), [
    {
      engine: 'docker',
      id: ID,
      key: `docker:${ID}`,
      name: 'web',
      compose: { project: 'shop', service: 'web' },
      pids: [2001, 2002],
      sources: ['cgroup', 'config.v2.json'],
    },
    // systemd driver, no config.v2.json (another data root): the id, no name, no warning
    { engine: 'docker', id: ID2, key: `docker:${ID2}`, pids: [2100], sources: ['cgroup'] },
  ]);
  assert.deepEqual(warnings, []);
});

test('docker: hostile names stay exact; invalid JSON, a fifo, a huge file: a warning and no name', (t) => {
  const { root, put } = hostRoot(t);
  const ids = ['1', '2', '3', '4', '5'].map((d) => d.repeat(64));
  const evil = '/x\n\u001b[31mred"}\\ <b>\ud800';
  put(`/var/lib/docker/containers/${ids[0]}/config.v2.json`, dockerConfig(evil));
  put(`/var/lib/docker/containers/${ids[1]}/config.v2.json`, '{"Name": "/half');
  mkdirSync(join(root, `/var/lib/docker/containers/${ids[2]}`), { recursive: true });
  execFileSync('mkfifo', [join(root, `/var/lib/docker/containers/${ids[2]}/config.v2.json`)]);
  put(`/var/lib/docker/containers/${ids[3]}/config.v2.json`, '');
  truncateSync(join(root, `/var/lib/docker/containers/${ids[3]}/config.v2.json`), 5 << 20);
  put(
    `/var/lib/docker/containers/${ids[4]}/config.v2.json`,
    JSON.stringify({ Name: 42, Config: { Labels: [1] } }),
  );
  const { ctx, warnings } = context(root);
  const got = run(
    ids.map((id, i) => proc(4000 + i, 1, `/docker/${id}`)),
    ctx,
  );
  assert.deepEqual(
    got.map((c) => [c.id[0], c.name, c.sources]),
    [
      ['1', evil.slice(1), ['cgroup', 'config.v2.json']],
      ['2', undefined, ['cgroup']],
      ['3', undefined, ['cgroup']],
      ['4', undefined, ['cgroup']],
      ['5', undefined, ['cgroup', 'config.v2.json']],
    ],
  );
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings[0]!, new RegExp(`${ids[1]}/config.v2.json: not valid JSON$`));
  assert.match(warnings[1]!, /not a regular file \(a fifo\)/);
  assert.match(warnings[2]!, /larger than 4 MiB/);
});

test('invalid JSON warnings never quote the file (a state file may be a link to a secret)', (t) => {
  const { root, put } = hostRoot(t);
  put('/secret', 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n');
  mkdirSync(join(root, `/var/lib/docker/containers/${ID}`), { recursive: true });
  symlinkSync(join(root, '/secret'), join(root, `/var/lib/docker/containers/${ID}/config.v2.json`));
  const { ctx, warnings } = context(root);
  run([proc(5000, 1, `/docker/${ID}`)], ctx);
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(warnings[0]!, /SECRET|root:/);
});

// podman libpod/oci_conmon_common.go: the argv podman 4.3 gives conmon (seen here)
const conmonArgv = (id: string, name: string, graphRoot = '/var/lib/containers/storage') => [
  '/usr/bin/conmon',
  '--api-version',
  '1',
  '-c',
  id,
  '-u',
  id,
  '-r',
  '/usr/bin/runc',
  '-b',
  `${graphRoot}/overlay-containers/${id}/userdata`,
  '-p',
  `/run/containers/storage/overlay-containers/${id}/userdata/pidfile`,
  '-n',
  name,
  '--exit-dir',
  '/run/libpod/exits',
  '--full-attach',
  '-s',
  '-l',
  `k8s-file:${graphRoot}/overlay-containers/${id}/userdata/ctr.log`,
  '--log-level',
  'warning',
  '--runtime-arg',
  '--log-format=json',
];

// containers/storage containers.go: overlay-containers/containers.json
const containersJson = (entries: [id: string, name: string][]) =>
  JSON.stringify(
    entries.map(([id, name]) => ({
      id,
      names: [name],
      image: 'f'.repeat(64),
      layer: '9'.repeat(64),
      metadata: JSON.stringify({ 'image-name': 'localhost/bb:1', name, 'created-at': 1764583200 }),
      created: '2026-12-01T10:00:00.000000000Z',
      flags: { MountLabel: '', ProcessLabel: '' },
    })),
  );

test('podman: name from its real conmon parent, else containers.json; an impostor conmon names nothing', (t) => {
  const { root, put } = hostRoot(t);
  put(
    '/var/lib/containers/storage/overlay-containers/containers.json',
    containersJson([
      [ID, 'web1'],
      [ID2, 'side'],
    ]),
  );
  const { ctx, warnings } = context(root, {
    6000: conmonArgv(ID, 'web1\nforged'),
    // another user's process calling itself conmon for ID2: not ID2's parent
    6666: conmonArgv(ID2, 'evil'),
  });
  const procs = [
    proc(6000, 1, '/libpod_parent/conmon', 'conmon'),
    proc(6001, 6000, `/libpod_parent/libpod-${ID}`),
    proc(6002, 6001, `/libpod_parent/libpod-${ID}`),
    proc(6100, 6099, `/libpod_parent/libpod-${ID2}`),
    proc(6666, 1, '/user.slice', 'conmon'),
  ];
  assert.deepEqual(run(procs, ctx), [
    {
      engine: 'podman',
      id: ID,
      key: `podman:${ID}`,
      name: 'web1\nforged',
      pids: [6001, 6002],
      sources: ['cgroup', 'conmon argv'],
    },
    {
      engine: 'podman',
      id: ID2,
      key: `podman:${ID2}`,
      name: 'side',
      pids: [6100],
      sources: ['cgroup', 'containers.json'],
    },
  ]);
  assert.deepEqual(warnings, []);
});

test(
  'podman pods: pod name from libpod’s database text (bolt), infra marked; rootless storage from conmon -b, when its user’s',
  { skip: needRootToChown },
  (t) => {
    const { root, put } = hostRoot(t);
    const infra = `${POD.slice(0, 12)}-infra`;
    put(
      '/var/lib/containers/storage/overlay-containers/containers.json',
      containersJson([
        [ID, infra],
        [ID2, 'cart'],
      ]),
    );
    // libpod/pod.go PodConfig as boltdb stores it: JSON text among binary pages
    put(
      '/var/lib/containers/storage/libpod/bolt_state.db',
      Buffer.concat([
        Buffer.from([0xed, 0xda, 0x0c, 0xed, 0, 0, 0, 0, 0xff]),
        Buffer.from(
          `{"id":"${POD}","name":"shop \\"pod\\"\\n","namespace":"","labels":{},"cgroupParent":"/libpod_parent"}`,
        ),
        Buffer.from([0, 0, 0xfe]),
      ]),
    );
    const home = '/home/alice/.local/share/containers/storage';
    const R = '7'.repeat(64);
    put(`${home}/overlay-containers/containers.json`, containersJson([[R, 'mine']]));
    // a user's storage is read only when it is theirs
    chownSync(join(root, `${home}/overlay-containers/containers.json`), 1000, 1000);
    const { ctx, warnings } = context(root, {
      7500: ['/usr/bin/conmon', '-b', `${home}/overlay-containers/${R}/userdata`, '-c', R],
    });
    const procs = [
      proc(7001, 7000, `/libpod_parent/${POD}/libpod-${ID}`, 'catatonit'),
      proc(7101, 7100, `/machine.slice/machine-libpod_pod_${POD}.slice/libpod-${ID2}.scope`),
      // the rootless container and its conmon run as the user: conmon is believed for its own uid
      proc(7500, 1, '/user.slice/user-1000.slice/user@1000.service/user.slice', 'conmon', 1000),
      proc(
        7501,
        7500,
        `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${R}.scope`,
        'sleep',
        1000,
      ),
    ];
    const got = run(procs, ctx);
    assert.deepEqual(
      got.map((c) => [c.id, c.name, c.pod, c.sandbox, c.sources]),
      [
        [
          ID,
          infra,
          { kind: 'podman', name: 'shop "pod"\n', id: POD },
          true,
          ['cgroup', 'containers.json', 'libpod db'],
        ],
        [
          ID2,
          'cart',
          { kind: 'podman', name: 'shop "pod"\n', id: POD },
          undefined,
          ['cgroup', 'containers.json', 'libpod db'],
        ],
        [R, 'mine', undefined, undefined, ['cgroup', 'containers.json']],
      ],
    );
    assert.deepEqual(warnings, []);
  },
);

test('podman pod without a database: the pod is named by its id', (t) => {
  const { root } = hostRoot(t);
  const { ctx } = context(root);
  const [c] = run([proc(7001, 7000, `/libpod_parent/${POD}/libpod-${ID}`)], ctx);
  assert.deepEqual(c!.pod, { kind: 'podman', name: POD, id: POD });
});

// libpod's bolt_state.db as seen here (podman 4.3, rootless, a pod of an infra and one
// container): each container's ContainerConfig and the pod's PodConfig as JSON text
const boltDb = (pod: string, podName: string, members: [id: string, name: string][]) =>
  Buffer.concat([
    Buffer.from([0xed, 0xda, 0x0c, 0xed, 0, 0, 0, 0, 0xff]),
    Buffer.from(`{"id":"${pod}","name":${JSON.stringify(podName)},"namespace":"","labels":{}}`),
    ...members.map(([id, name]) =>
      Buffer.from(
        `\0\0{"spec":{"ociVersion":"1.0.2-dev"},"id":"${id}","name":${JSON.stringify(name)},` +
          `"pod":"${pod}","lockID":2,"CreateCommand":["podman","run"]}\0`,
      ),
    ),
  ]);

test('podman pods no cgroup names (conmon, cgroupfs): from the container’s config in libpod’s database; a user’s conmon reads only its user’s', (t) => {
  const { root, put } = hostRoot(t);
  const infra = `${POD.slice(0, 12)}-infra`;
  const graph = '/srv/podman';
  put(
    `${graph}/libpod/bolt_state.db`,
    boltDb(POD, 'shop', [
      [ID, infra],
      [ID2, 'cart'],
    ]),
  );
  const R = '7'.repeat(64);
  const { ctx, warnings } = context(root, {
    6000: conmonArgv(ID, infra, graph),
    6100: conmonArgv(ID2, 'cart', graph),
    // a user's conmon naming root's storage: the database is root's, not read for them
    7500: conmonArgv(R, 'mine', graph),
  });
  const procs = [
    proc(6000, 1, '/', 'conmon'),
    proc(6001, 6000, '/', 'catatonit'),
    proc(6100, 1, '/', 'conmon'),
    proc(6101, 6100, '/'),
    proc(7500, 1, '/user/alice/0', 'conmon', 1000),
    proc(7501, 7500, '/user/alice/0', 'sleep', 1000),
  ];
  assert.deepEqual(
    run(procs, ctx).map((c) => [c.id, c.name, c.pod, c.sandbox, c.sources]),
    [
      [ID, infra, { kind: 'podman', id: POD, name: 'shop' }, true, ['conmon argv', 'libpod db']],
      [
        ID2,
        'cart',
        { kind: 'podman', id: POD, name: 'shop' },
        undefined,
        ['conmon argv', 'libpod db'],
      ],
      [R, 'mine', undefined, undefined, ['conmon argv']],
    ],
  );
  assert.deepEqual(warnings, [
    `${graph}/libpod/bolt_state.db belongs to uid 0, not 1000: not read`,
  ]);
});

// containerd runtime/v2 bundle (seen: `ctr run --label` labels become annotations)
const bundle = (annotations: Record<string, unknown>) =>
  JSON.stringify({
    ociVersion: '1.1.0',
    process: { args: ['/bin/sleep', '100200'], cwd: '/' },
    root: { path: 'rootfs' },
    annotations,
    linux: { cgroupsPath: '/demo/api1', namespaces: [{ type: 'pid' }] },
  });
// runc libcontainer/container_linux.go State, config.labels as runc writes them
const state = (id: string, labels: string[]) =>
  JSON.stringify({
    id,
    init_process_pid: 8001,
    created: '2026-12-01T10:00:00Z',
    config: { labels, rootfs: '/x' },
  });

const TASKS = '/run/containerd/io.containerd.runtime.v2.task';

test('containerd: one id in two namespaces is two containers; a containerd of its own (k3s) is named by its socket, from its shim', (t) => {
  const { root, put } = hostRoot(t);
  put(`${TASKS}/a/web/config.json`, bundle({ 'nerdctl/name': 'web-a' }));
  put(`${TASKS}/b/web/config.json`, bundle({ 'nerdctl/name': 'web-b' }));
  // k3s's task directory, reached only through its shim's working directory
  const k3s = '/run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io';
  put(`${k3s}/${ID}/config.json`, bundle({ 'nerdctl/name': 'k3s-web' }));
  // (under a test root, paths are joined lexically: `/proc/9000/cwd/..` is `/proc/9000`)
  mkdirSync(join(root, '/proc/9000'), { recursive: true });
  symlinkSync(join(root, k3s, ID), join(root, '/proc/9000', ID));
  const shim = ['/var/lib/rancher/k3s/data/current/bin/containerd-shim-runc-v2'];
  shim.push('-namespace', 'k8s.io', '-id', ID, '-address', '/run/k3s/containerd/containerd.sock');
  const { ctx, warnings } = context(root, { 9000: shim });
  const procs = [
    proc(8001, 1, '/a/web'),
    proc(8002, 1, '/b/web'),
    proc(9000, 1, '/system.slice/k3s.service', 'containerd-shim'),
    proc(9001, 9000, `/k8s.io/${ID}`),
  ];
  assert.deepEqual(
    run(procs, ctx).map((c) => [c.key, c.name, c.engineNamespace, c.instance, c.pids]),
    [
      ['containerd:a/web', 'web-a', 'a', undefined, [8001]],
      ['containerd:b/web', 'web-b', 'b', undefined, [8002]],
      [
        `containerd:k8s.io/${ID}@/run/k3s/containerd/containerd.sock`,
        'k3s-web',
        'k8s.io',
        '/run/k3s/containerd/containerd.sock',
        [9001],
      ],
    ],
  );
  assert.deepEqual(warnings, []);
});

test('containerd: nerdctl name and compose from the bundle; state.json when the bundle is unreadable; /process_api/<hex> is no container', (t) => {
  const { root, put } = hostRoot(t);
  put(
    `${TASKS}/demo/api1/config.json`,
    bundle({
      'nerdctl/name': 'api',
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'api',
    }),
  );
  mkdirSync(join(root, `${TASKS}/default/job7`), { recursive: true });
  put(
    '/run/containerd/runc/default/job7/state.json',
    state('job7', ['nerdctl/name=job=7', `bundle=${TASKS}/default/job7`]),
  );
  mkdirSync(join(root, `${TASKS}/sys/unit9`), { recursive: true });
  const { ctx, warnings } = context(root);
  const procs = [
    proc(8001, 7999, '/demo/api1'),
    proc(8002, 8001, '/demo/api1'),
    proc(8101, 8100, '/default/job7'),
    proc(8201, 1, '/system.slice/sys-unit9.scope'),
    proc(8300, 1, '/process_api/5be55117cfa20fdaef7960300bd5df3f', 'process_api'),
    proc(8301, 1, '/demo/api2'),
  ];
  assert.deepEqual(run(procs, ctx), [
    {
      engine: 'containerd',
      id: 'api1',
      key: 'containerd:demo/api1',
      engineNamespace: 'demo',
      name: 'api',
      compose: { project: 'shop', service: 'api' },
      pids: [8001, 8002],
      sources: ['cgroup', 'config.json'],
    },
    {
      engine: 'containerd',
      id: 'job7',
      key: 'containerd:job7',
      engineNamespace: 'default',
      name: 'job=7',
      pids: [8101],
      sources: ['cgroup', 'state.json'],
    },
    {
      engine: 'containerd',
      id: 'unit9',
      key: 'containerd:sys/unit9',
      engineNamespace: 'sys',
      pids: [8201],
      sources: ['cgroup'],
    },
  ]);
  assert.deepEqual(warnings, []);
});

// containerd pkg/cri/annotations/annotations.go, as the CRI plugin writes them
const cri = (type: 'sandbox' | 'container', extra: Record<string, string> = {}) => ({
  'io.kubernetes.cri.container-type': type,
  'io.kubernetes.cri.sandbox-id': ID,
  'io.kubernetes.cri.sandbox-name': 'cart-7d9f',
  'io.kubernetes.cri.sandbox-namespace': 'prod',
  'io.kubernetes.cri.sandbox-uid': UID,
  ...extra,
});

test('kubernetes via containerd CRI: a k8s.io sandbox and member, by containerd’s own cgroup and by kubepods', (t) => {
  const { root, put } = hostRoot(t);
  put(`${TASKS}/k8s.io/${ID}/config.json`, bundle(cri('sandbox')));
  put(
    `${TASKS}/k8s.io/${ID2}/config.json`,
    bundle(
      cri('container', {
        'io.kubernetes.cri.container-name': 'cart',
        'io.kubernetes.cri.image-name': 'bb:1',
      }),
    ),
  );
  const { ctx } = context(root);
  const pod = { kind: 'kubernetes', name: 'cart-7d9f', namespace: 'prod', id: UID };
  // as `ctr -n k8s.io run --label ...` places them (the integration test's pod)
  const flat = run(
    [proc(9001, 9000, `/k8s.io/${ID}`, 'pause'), proc(9101, 9100, `/k8s.io/${ID2}`)],
    ctx,
  );
  assert.deepEqual(flat, [
    {
      engine: 'kubernetes',
      id: ID,
      key: `kubernetes:${ID}`,
      engineNamespace: 'k8s.io',
      name: 'cart-7d9f', // a sandbox is named after its pod, as `crictl pods` shows it
      pod,
      sandbox: true,
      pids: [9001],
      sources: ['cgroup', 'config.json'],
    },
    {
      engine: 'kubernetes',
      id: ID2,
      key: `kubernetes:${ID2}`,
      engineNamespace: 'k8s.io',
      name: 'cart',
      pod,
      sandbox: false,
      pids: [9101],
      sources: ['cgroup', 'config.json'],
    },
  ]);
  // as the kubelet places them: systemd driver and cgroupfs driver
  const u = UID.replace(/-/g, '_');
  const kube = run(
    [
      proc(
        9001,
        9000,
        `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/cri-containerd-${ID}.scope`,
        'pause',
      ),
      proc(9101, 9100, `/kubepods/burstable/pod${UID}/${ID2}`),
    ],
    context(root).ctx,
  );
  assert.deepEqual(
    kube.map((c) => [c.key, c.name, c.pod, c.sandbox, c.engineNamespace]),
    [
      [`kubernetes:${ID}`, 'cart-7d9f', pod, true, 'k8s.io'],
      [`kubernetes:${ID2}`, 'cart', pod, false, 'k8s.io'],
    ],
  );
});

test('kubepods without any runtime file: the id, and the pod by its uid from the cgroup path', (t) => {
  const { root } = hostRoot(t);
  const { ctx, warnings } = context(root);
  assert.deepEqual(run([proc(9500, 1, `/kubepods/besteffort/pod${UID}/${ID}`)], ctx), [
    {
      engine: 'kubernetes',
      id: ID,
      key: `kubernetes:${ID}`,
      pod: { kind: 'kubernetes', name: UID, id: UID },
      pids: [9500],
      sources: ['cgroup'],
    },
  ]);
  assert.deepEqual(warnings, []);
});

// cri-o pkg/annotations/internal.go and the kubelet's labels (pkg/kubelet/types/labels.go)
test('CRI-O: names from io.kubernetes.cri-o.* and the kubelet labels in its Labels JSON; bad Labels costs only those', (t) => {
  const { root, put } = hostRoot(t);
  const labels = JSON.stringify({
    'io.kubernetes.container.name': 'cart',
    'io.kubernetes.pod.name': 'cart-7d9f',
    'io.kubernetes.pod.namespace': 'prod',
    'io.kubernetes.pod.uid': UID,
  });
  put(
    `/run/containers/storage/overlay-containers/${ID}/userdata/config.json`,
    bundle({
      'io.kubernetes.cri-o.ContainerType': 'container',
      'io.kubernetes.cri-o.ContainerName': 'k8s_cart_cart-7d9f_prod_' + UID + '_0',
      'io.kubernetes.cri-o.SandboxID': ID2,
      'io.kubernetes.cri-o.Labels': labels,
    }),
  );
  put(
    `/run/runc/${ID2}/state.json`,
    state(ID2, [
      'io.kubernetes.cri-o.ContainerType=sandbox',
      'io.kubernetes.cri-o.KubeName=cart-7d9f',
      'io.kubernetes.cri-o.Namespace=prod',
      'io.kubernetes.cri-o.Labels={not json',
    ]),
  );
  const u = UID.replace(/-/g, '_');
  const { ctx, warnings } = context(root);
  const got = run(
    [
      proc(9601, 9600, `/kubepods.slice/kubepods-pod${u}.slice/crio-${ID}.scope`),
      proc(9701, 9700, `/kubepods/pod${UID}/crio-${ID2}`, 'pause'),
      proc(9800, 1, `/kubepods.slice/kubepods-pod${u}.slice/crio-conmon-${ID}.scope`, 'conmon'),
    ],
    ctx,
  );
  const pod = { kind: 'kubernetes', name: 'cart-7d9f', namespace: 'prod', id: UID };
  assert.deepEqual(got, [
    {
      engine: 'cri-o',
      id: ID,
      key: `cri-o:${ID}`,
      name: 'cart',
      pod,
      sandbox: false,
      pids: [9601],
      sources: ['cgroup', 'config.json'],
    },
    {
      engine: 'cri-o',
      id: ID2,
      key: `cri-o:${ID2}`,
      name: 'cart-7d9f',
      pod,
      sandbox: true,
      pids: [9701],
      sources: ['cgroup', 'state.json'],
    },
  ]);
  assert.deepEqual(warnings, []);
});

test('a source that throws costs its containers and a warning, not the scan', (t) => {
  const { root } = hostRoot(t);
  const { ctx, warnings } = context(root);
  const bad = {
    name: 'bad',
    scan: () => {
      throw new Error('boom');
    },
  };
  const got = resolveContainers([proc(1, 0, `/docker/${ID}`)], ctx, [bad, ...SOURCES]);
  assert.equal(got.length, 1);
  assert.deepEqual(warnings, ['container source bad failed: boom']);
});

test("a rootless cgroup named after root's podman container joins nothing; the clash is said", (t) => {
  const { root, put } = hostRoot(t);
  put(
    '/var/lib/containers/storage/overlay-containers/containers.json',
    containersJson([[ID, 'web1']]),
  );
  const { ctx, warnings } = context(root, {
    6000: conmonArgv(ID, 'web1'),
    7000: conmonArgv(ID, 'EVIL'),
  });
  const userCgroup = `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`;
  const procs = [
    proc(6000, 1, '/libpod_parent/conmon', 'conmon'),
    proc(6001, 6000, `/libpod_parent/libpod-${ID}`),
    // the user's own "container" of the same id, with its own conmon: a forgery
    proc(7000, 1, '/user.slice/user-1000.slice/user@1000.service', 'conmon', 1000),
    proc(7001, 7000, userCgroup, 'sleep', 1000),
  ];
  // the cut paths delegation.ts gives for systemd's delegation to uid 1000
  for (const p of procs.slice(2)) {
    p.cgroups = p.cgroups.map((l) =>
      l.path.startsWith('/user.slice/')
        ? {
            ...l,
            path: '/user.slice/user-1000.slice/user@1000.service',
            ...(l.path === userCgroup ? { delegated: { uid: 1000, path: userCgroup } } : {}),
          }
        : l,
    );
  }
  const got = run(procs, ctx);
  assert.deepEqual(
    got.map((c) => [c.key, c.name, c.pids]),
    [[`podman:${ID}`, 'web1', [6001]]],
  );
  // the cgroup's claim, then the user's conmon's for its own process: both refused
  assert.deepEqual(warnings, [
    `uid 1000 has a podman cgroup named after container ${ID}: ignored`,
    `uid 1000 claims container podman:${ID} of another owner: ignored`,
  ]);
});

test('a conmon is believed only as root or as the uid of its container', (t) => {
  const { root } = hostRoot(t);
  const { ctx } = context(root, { 6000: conmonArgv(ID, 'EVIL') });
  // root's container whose parent is a user's process calling itself conmon (a reparented
  // container is no real case, but the rule must hold whatever the tree)
  const got = run(
    [proc(6000, 1, '/', 'conmon', 1000), proc(6001, 6000, `/libpod_parent/libpod-${ID}`)],
    ctx,
  );
  assert.equal(got[0]?.name, undefined);
});

test('JSON nested past 64 levels is refused before parsing; 64 levels still parse', (t) => {
  const { root, put } = hostRoot(t);
  put(`/var/lib/docker/containers/${ID}/config.v2.json`, `{"Name":"/x","a":${'['.repeat(1 << 20)}`);
  const deep = `{"Name":"/web","a":${'['.repeat(63)}"]]]{{"${']'.repeat(63)}}`;
  put(`/var/lib/docker/containers/${ID2}/config.v2.json`, deep);
  const { ctx, warnings } = context(root);
  const got = run([proc(2001, 1, `/docker/${ID}`), proc(2002, 1, `/docker/${ID2}`)], ctx);
  assert.deepEqual(
    got.map((c) => c.name),
    [undefined, 'web'],
  );
  assert.deepEqual(warnings, [
    `cannot read /var/lib/docker/containers/${ID}/config.v2.json: JSON nested deeper than 64 levels`,
  ]);
});

test(
  'state files users own are read up to a budget per account and scan (a user and their subordinate uids); root’s are not counted',
  { skip: needRootToChown },
  (t) => {
    const { root, put } = hostRoot(t);
    const big = JSON.stringify({ Name: '/n', pad: 'x'.repeat(3000) });
    const ids = ['1', '2', '3', '4', '5', '6'].map((d) => d.repeat(64));
    for (const id of ids) put(`/var/lib/docker/containers/${id}/config.v2.json`, big);
    // nobody (65534) has the subordinate uids 100000-165535
    put('/etc/subuid', 'nobody:100000:65536\n');
    // 3 KiB files against 5 KiB an account: the second and third are nobody's, the fifth
    // another account's, the sixth one of nobody's subordinate uids'
    const owners: [number, string][] = [
      [1, '65534'],
      [2, '65534'],
      [4, '65533'],
      [5, '100005'],
    ];
    for (const [i, uid] of owners)
      execFileSync('chown', [
        uid,
        join(root, `/var/lib/docker/containers/${ids[i]}/config.v2.json`),
      ]);
    const warnings: string[] = [];
    const live = liveContext({ root, warn: (m) => warnings.push(m), userBytes: 5 << 10 });
    const got = run(
      ids.map((id, i) => proc(3000 + i, 1, `/docker/${id}`)),
      { ...live, argv: () => undefined },
    );
    assert.deepEqual(
      got.map((c) => c.name),
      ['n', 'n', undefined, 'n', 'n', undefined],
    );
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      /^read 5 KiB of state files user nobody owns in this scan: \S+3{64}\/config\.v2\.json and any more of theirs are not read$/,
    );
  },
);

test('a containerd inside a podman container: its container is named, in the outer one, not taken for it', (t) => {
  const { root, put } = hostRoot(t);
  const OUTER = 'c'.repeat(64);
  put(
    '/var/lib/containers/storage/overlay-containers/containers.json',
    containersJson([[OUTER, 'kind-control-plane']]),
  );
  // the inner containerd's task, as tasks.ts finds it (here in the default state directory)
  put(
    `${TASKS}/k8s.io/${ID2}/config.json`,
    bundle({
      'io.kubernetes.cri.container-type': 'container',
      'io.kubernetes.cri.container-name': 'cart',
      'io.kubernetes.cri.sandbox-name': 'cart-7d9f',
      'io.kubernetes.cri.sandbox-namespace': 'prod',
      'io.kubernetes.cri.sandbox-id': ID,
    }),
  );
  const { ctx } = context(root);
  const outerPath = `/libpod_parent/libpod-${OUTER}`;
  const procs = [
    proc(9001, 9000, outerPath, 'systemd'), // the outer container's own
    proc(9101, 9100, `${outerPath}/k8s.io/${ID2}`), // the inner container's
  ];
  const got = run(procs, ctx);
  assert.deepEqual(
    got.map((c) => [c.key, c.name, c.pids, c.outer]),
    [
      [`kubernetes:${ID2}`, 'cart', [9101], `podman:${OUTER}`],
      [`podman:${OUTER}`, 'kind-control-plane', [9001], undefined],
    ],
  );
  // and the words say where it runs
  const model = {
    host: { hostname: 'h', kernel: 'k', time: 't', uid: 0, nsidSupported: true },
    namespaces: [
      {
        key: 'pid:1' as const,
        type: 'pid' as const,
        ino: 1,
        origin: 'process' as const,
        pids: [9101],
        tasks: [],
        fds: [],
        mounts: [],
      },
    ],
    processes: [
      {
        pid: 9101,
        ppid: 9100,
        name: 'sleep',
        start: 1,
        ns: { pid: 'pid:1' as const },
        container: `kubernetes:${ID2}` as const,
      },
    ],
    containers: got,
    warnings: [],
  };
  const g = graphOf(model);
  assert.equal(
    containerWords(g).of(g.byKey.get('pid:1')!, {
      name: (s) => `"${s}"`,
      token: (s) => s,
      path: (s) => s,
    }),
    'container "cart" (kubernetes, pod prod/cart-7d9f) in container "kind-control-plane" (podman)',
  );
  // the drawing's index of containers says it too
  assert.ok(
    modelToDot(model, { details: true }).includes(
      '<B>cart</B> (kubernetes, pod prod/cart-7d9f) in <B>kind-control-plane</B>',
    ),
  );
});

test('a dockerd inside a podman container: its container is Docker’s, named from the data root its bundle mounts, through the shim’s root', (t) => {
  const { root, put } = hostRoot(t);
  const OUTER = 'c'.repeat(64);
  put(
    '/var/lib/containers/storage/overlay-containers/containers.json',
    containersJson([[OUTER, 'dind']]),
  );
  // the inner dockerd's containerd (namespace moby) through its shim 9200, whose root is the
  // outer container's files (under a test root, `/proc/9200/cwd/..` is `/proc/9200`)
  const bundleOf = (id: string, dataRoot: string) =>
    JSON.stringify({
      ociVersion: '1.0.2-dev',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        {
          destination: '/etc/hostname',
          type: 'bind',
          source: `${dataRoot}/containers/${id}/hostname`,
        },
      ],
    });
  put(`/proc/9200/${ID}/config.json`, bundleOf(ID, '/var/lib/docker'));
  put(`/proc/9200/root/var/lib/docker/containers/${ID}/config.v2.json`, dockerConfig('/shopweb'));
  // a bundle naming a data root with `..`: not followed
  put(`/proc/9200/${ID2}/config.json`, bundleOf(ID2, '/var/lib/../../etc'));
  const shim = ['containerd-shim-runc-v2', '-namespace', 'moby', '-id', ID];
  const { ctx } = context(root, { 9200: shim, 9201: [...shim.slice(0, 4), ID2] });
  const outerPath = `/libpod_parent/libpod-${OUTER}`;
  const procs = [
    proc(9001, 9000, outerPath, 'sleep'),
    proc(9200, 9199, outerPath, 'containerd-shim'),
    proc(9201, 9199, outerPath, 'containerd-shim'),
    proc(9301, 9200, `${outerPath}/docker/${ID}`),
    proc(9302, 9201, `${outerPath}/docker/${ID2}`),
  ];
  assert.deepEqual(
    run(procs, ctx).map((c) => [c.key, c.name, c.pids, c.outer]),
    [
      [`docker:${ID}`, 'shopweb', [9301], `podman:${OUTER}`],
      [`docker:${ID2}`, undefined, [9302], `podman:${OUTER}`],
      [`podman:${OUTER}`, 'dind', [9001, 9200, 9201], undefined],
    ],
  );
});
