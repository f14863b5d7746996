/**
 * Containers where real hosts keep them, not where the defaults do, all
 * running at once beside the six engines of the default scene (podman
 * with a pod, Docker, containerd with a Kubernetes-style pod, LXC, nspawn,
 * bubblewrap), as on a host that runs them all:
 * - containerd laid out as k3s lays it out (root under rancher-like
 *   directories, state and socket under a directory of its own, as
 *   `/run/k3s/containerd`), with a plain container with a nerdctl name, a
 *   CRI-annotated pod under containerd's own cgroups and a pod sandbox
 *   under a kubelet-shaped cgroup;
 * - a second dockerd with its own data root, exec root and socket;
 * - rootless podman as a throwaway user without systemd (cgroupfs, vfs),
 *   with a container and a pod;
 * - podman with its own --root and --runroot (vfs), with a pod;
 * - a containerd inside a privileged podman container, like kind, with its
 *   own container;
 * - rootless Docker (dockerd-rootless.sh under rootlesskit) as a
 *   throwaway user.
 * Each layout's test checks the model against what the engine says of
 * itself (inspect, `ctr task ls`, the labels given); at the end one scan
 * and every presentation must name every container of all of them. Under
 * CI=true a layout or engine that cannot start fails the run. Everything
 * is removed by id, PID or uid. Every wait is for a state (a daemon
 * answering, a task running, a process there) and gives up early when the
 * daemon waited on exited; HANG_MS ends only a hang, never a slow start.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  readFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { discover } from '../../main/discover';
import { runBin } from '../helpers/bins';
import { ENGINE_GROUPS, Engines, makeOciArchive, makeRootfs } from '../helpers/engines';
import { HANG_MS, needRoot, unmetNeed } from '../helpers/scene';
import { makeSessionUser, noUseradd, removeSessionUser, type TestUser } from '../helpers/users';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Try `f` until it succeeds, however long a loaded machine takes; its last
 * error is thrown at once when `ended()` says what it waits on is gone, else
 * only after HANG_MS (a hang).
 */
async function retry<T>(f: () => Promise<T>, ended: () => boolean = () => false): Promise<T> {
  const hung = Date.now() + HANG_MS;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (ended() || Date.now() > hung) throw err;
      await sleep(100);
    }
  }
}

/** Poll `f` until it gives a value; only a hang (HANG_MS) ends the wait, with an error naming `what`. */
async function poll<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const hung = Date.now() + HANG_MS;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > hung) throw new Error(`still no ${what} after ${HANG_MS} ms`);
    await sleep(50);
  }
}

/** The first PID whose command line matches `pattern` (pgrep -f), or undefined. */
const pgrep = async (pattern: string) =>
  Number(
    (await exec('pgrep', ['-f', pattern]).catch(() => ({ stdout: '' }))).stdout
      .trim()
      .split('\n')[0] || 0,
  ) || undefined;

/** A fresh scan: the model, and the container (with its process) of a PID. */
function scan() {
  const m = discover({ tasks: false, fds: false, mounts: false });
  const of = (pid: number) => {
    const proc = m.processes.find((p) => p.pid === pid);
    return { proc, c: m.containers.find((x) => x.key === proc?.container) };
  };
  return { m, of };
}

/** What a layout's test expects every presentation to say of one container. */
interface Named {
  /** How the trees say it: `container "web" (podman, user alice)`. */
  words: string;
  /** The container's name, which the drawings must hold. */
  name: string;
}

/** What the layouts' own tests found named in the model: checked in every presentation at the end. */
const expected: Named[] = [];

/** After the layout's own checks: the presentations must say `words` too (checked at the end, all at once). */
function expectNamed(words: string, name: string): void {
  expected.push({ words, name });
}

/**
 * Every presentation names each container where users look: lspidns,
 * lsuserns -d, graphns -d --output, and a --json snapshot opened again
 * with --open. Returns what is missing where (empty when all is said).
 */
function namedEverywhere(all: readonly Named[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'graphns-layout-out-'));
  const missing: string[] = [];
  try {
    for (const [cmd, args] of [
      ['lspidns', []],
      ['lsuserns', ['-d']],
    ] as const) {
      const r = runBin(cmd, [...args]);
      assert.equal(r.status, 0, r.stderr);
      for (const { words } of all)
        if (!r.stdout.includes(words))
          missing.push(`${cmd} ${args.join(' ')} does not say ${words}`);
    }
    const snap = join(dir, 'host.json');
    const json = runBin('graphns', ['--json']);
    assert.equal(json.status, 0, json.stderr);
    writeFileSync(snap, json.stdout);
    for (const args of [
      ['-d', '--output'],
      ['--open', snap, '-d', '--output'],
    ]) {
      const svg = join(dir, 'g.svg');
      const r = runBin('graphns', [...args, svg]);
      assert.equal(r.status, 0, r.stderr);
      // the drawing names it (its labels and the legend's index; a label may be split in lines)
      // (Graphviz writes '-' in SVG text as &#45;)
      const text = readFileSync(svg, 'utf8');
      for (const { name } of all)
        if (!text.includes(name) && !text.includes(name.replace(/-/g, '&#45;')))
          missing.push(`graphns ${args.join(' ')} does not name ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return missing;
}

type Check = (t: TestContext) => void | Promise<void>;

/** One layout: started and stopped by the suite at the end of this file, with the others. */
interface Layout {
  title: string;
  skip: string | boolean | undefined;
  starts: (() => Promise<void>)[];
  stops: (() => Promise<void>)[];
  tests: [name: string, check: Check][];
  /** What its start threw: its tests fail with it. */
  failed?: unknown;
}
const layouts: Layout[] = [];

/**
 * A layout, written like a describe(): its before() starts it, its after()
 * removes exactly what it started, its tests check it. They run all at once
 * (the suite at the end), as a host running all of them would.
 */
function layout(
  title: string,
  options: { skip?: string | boolean },
  body: (reg: {
    before(fn: () => Promise<void>): void;
    after(fn: () => Promise<void>): void;
    test(name: string, check: Check): void;
  }) => void,
): void {
  const l: Layout = { title, skip: options.skip, starts: [], stops: [], tests: [] };
  body({
    before: (fn) => l.starts.push(fn),
    after: (fn) => l.stops.push(fn),
    test: (name, check) => l.tests.push([name, check]),
  });
  layouts.push(l);
}

/** Remove an outer podman container (and what runs inside it), its image and its directory. */
async function removeOuter(
  p: (args: string[]) => Promise<unknown>,
  outer: string,
  image: string,
  base: string,
): Promise<void> {
  try {
    await p(['rm', '-f', '-t', '0', outer]).catch(() => undefined);
    await p(['rmi', '-f', image]).catch(() => undefined);
  } finally {
    rmSync(base, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Skip, or under CI fail (unmetNeed): a green CI must mean the layout was tried. */
function cannot(t: { skip(why: string): void }, why: string): void {
  t.skip(unmetNeed(why));
}

layout('containerd laid out like k3s', { skip: needRoot }, ({ before, after, test }) => {
  const tag = randomBytes(3).toString('hex');
  const base = mkdtempSync(join(tmpdir(), 'graphns-k3s-'));
  const state = `/run/graphns-k3s-${tag}/containerd`; // as /run/k3s/containerd
  const rootDir = join(base, 'var/lib/rancher/k3s/agent/containerd');
  const address = join(state, 'containerd.sock');
  let daemon: ChildProcess | undefined;
  let why: string | undefined;
  const made: { ns: string; id: string }[] = [];
  const ids = {
    api: `api-${tag}`,
    sandbox: randomBytes(32).toString('hex'),
    member: randomBytes(32).toString('hex'),
    kubeSandbox: randomBytes(32).toString('hex'),
  };
  const podUid = [8, 4, 4, 4, 12].map((n) => randomBytes(n / 2).toString('hex')).join('-');
  const pids = new Map<string, number>();
  const ctr = (ns: string, args: string[]) =>
    exec('ctr', ['--address', address, '-n', ns, ...args], { timeout: HANG_MS });

  before(async () => {
    try {
      await exec('which', ['containerd', 'ctr', 'containerd-shim-runc-v2']);
    } catch {
      why = 'containerd is not installed (apt-get install containerd)';
      return;
    }
    const conf = join(base, 'config.toml');
    const def = (await exec('containerd', ['config', 'default'])).stdout;
    writeFileSync(
      conf,
      def
        .replace(/^root = .*$/m, `root = "${rootDir}"`)
        .replace(/^state = .*$/m, `state = "${state}"`)
        .replace(/address = "\/run\/containerd\/containerd\.sock"/, `address = "${address}"`)
        .replace(/^disabled_plugins = \[\]/m, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'),
    );
    mkdirSync(state, { recursive: true });
    const d = spawn('containerd', ['--config', conf], { stdio: 'ignore' });
    daemon = d;
    try {
      await retry(
        () => ctr('default', ['version']),
        () => d.exitCode !== null,
      );
    } catch (err) {
      why = `containerd with its own root and state did not start: ${(err as Error).message}`;
      return;
    }
    const rootfs = makeRootfs(base);
    const ref = `docker.io/library/graphns-k3s:${tag}`;
    const archive = await makeOciArchive(base, await rootfs.tar, ref);
    for (const ns of ['demo', 'k8s.io']) await ctr(ns, ['images', 'import', archive]);
    const runTask = async (ns: string, id: string, args: string[]) => {
      await ctr(ns, ['run', '-d', ...args, ref, id, '/bin/sleep', '100700']);
      made.push({ ns, id });
      const pid = await poll(`running task ${id}`, async () => {
        const row = (await ctr(ns, ['task', 'ls'])).stdout
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .find((r) => r[0] === id);
        return row?.[2] === 'RUNNING' && Number(row[1]) > 0 ? Number(row[1]) : undefined;
      });
      pids.set(id, pid);
    };
    const pod = (name: string, uid: string, sandbox: string) => [
      '--label',
      `io.kubernetes.cri.sandbox-id=${sandbox}`,
      '--label',
      `io.kubernetes.cri.sandbox-name=${name}`,
      '--label',
      'io.kubernetes.cri.sandbox-namespace=prod',
      '--label',
      `io.kubernetes.cri.sandbox-uid=${uid}`,
    ];
    await runTask('demo', ids.api, ['--label', 'nerdctl/name=api-k3s']);
    // a pod under containerd's own cgroups (/k8s.io/<id>)
    const uidA = [8, 4, 4, 4, 12].map((n) => randomBytes(n / 2).toString('hex')).join('-');
    await runTask('k8s.io', ids.sandbox, [
      '--label',
      'io.kubernetes.cri.container-type=sandbox',
      ...pod('shop-k3s', uidA, ids.sandbox),
    ]);
    await runTask('k8s.io', ids.member, [
      '--with-ns',
      `network:/proc/${pids.get(ids.sandbox)}/ns/net`,
      '--label',
      'io.kubernetes.cri.container-type=container',
      '--label',
      'io.kubernetes.cri.container-name=web',
      ...pod('shop-k3s', uidA, ids.sandbox),
    ]);
    // a pod's sandbox under a kubelet-shaped cgroup
    await runTask('k8s.io', ids.kubeSandbox, [
      '--cgroup',
      `/kubepods/besteffort/pod${podUid}/${ids.kubeSandbox}`,
      '--label',
      'io.kubernetes.cri.container-type=sandbox',
      ...pod('cart-k3s', podUid, ids.kubeSandbox),
    ]);
  });

  after(async () => {
    for (const { ns, id } of made.reverse()) {
      await ctr(ns, ['task', 'kill', '-s', 'SIGKILL', id]).catch(() => undefined);
      // deleted once it has stopped (a hang is left to containers rm below)
      await poll(`deleted task ${id}`, () =>
        ctr(ns, ['task', 'delete', '-f', id]).then(
          () => true,
          (e: Error) => (/not found/.test(e.message) ? true : undefined),
        ),
      ).catch(() => undefined);
      await ctr(ns, ['containers', 'rm', id]).catch(() => undefined);
    }
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    // the cgroups made for our tasks, by their ids
    for (const h of readdirSync('/sys/fs/cgroup').map((d) => join('/sys/fs/cgroup', d))) {
      for (const d of [
        ...made.map(({ ns, id }) => join(h, ns, id)),
        join(h, 'kubepods/besteffort', `pod${podUid}`, ids.kubeSandbox),
        join(h, 'kubepods/besteffort', `pod${podUid}`),
      ]) {
        try {
          if (existsSync(d)) rmdirSync(d);
        } catch {
          /* busy or shared */
        }
      }
    }
    rmSync(`/run/graphns-k3s-${tag}`, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
  });

  test('every container is named from its bundle, found through its shim', (t) => {
    if (why) return cannot(t, why);
    const { of: ofPid } = scan();
    const of = (id: string) => ofPid(pids.get(id)!).c;
    const api = of(ids.api);
    assert.deepEqual(
      [api?.engine, api?.name, api?.engineNamespace],
      ['containerd', 'api-k3s', 'demo'],
      JSON.stringify(api),
    );
    const sandbox = of(ids.sandbox);
    const member = of(ids.member);
    assert.deepEqual(
      [sandbox?.engine, sandbox?.sandbox, sandbox?.pod?.name, sandbox?.pod?.namespace],
      ['kubernetes', true, 'shop-k3s', 'prod'],
      JSON.stringify(sandbox),
    );
    assert.deepEqual(
      [member?.engine, member?.name, member?.pod?.name],
      ['kubernetes', 'web', 'shop-k3s'],
      JSON.stringify(member),
    );
    const kube = of(ids.kubeSandbox);
    assert.deepEqual(
      [kube?.engine, kube?.pod?.name, kube?.pod?.id],
      ['kubernetes', 'cart-k3s', podUid],
      JSON.stringify(kube),
    );
    for (const c of [api, sandbox, member, kube]) {
      assert.ok(c!.sources.includes('config.json'));
      // which containerd runs it: the socket it was started with, as `ctr --address` takes it
      assert.equal(c!.instance, address, JSON.stringify(c));
    }
    expectNamed(`container "api-k3s" (containerd at ${address}, namespace demo)`, 'api-k3s');
  });
});

layout(
  'a second dockerd with its own data root, exec root and socket',
  { skip: needRoot },
  ({ before, after, test }) => {
    const tag = randomBytes(3).toString('hex');
    const base = mkdtempSync(join(tmpdir(), 'graphns-dockerd2-'));
    const sock = join(base, 'docker.sock');
    const dataRoot = join(base, 'data');
    const docker = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
    const d = (args: string[]) =>
      exec(docker, ['-H', `unix://${sock}`, ...args], { timeout: HANG_MS });
    const name = `web2-${tag}`;
    let daemon: ChildProcess | undefined;
    let why: string | undefined;
    let id: string | undefined;
    let pid = 0;

    before(async () => {
      try {
        await exec('which', ['dockerd', docker]);
      } catch {
        why = 'Docker is not installed (apt-get install docker.io)';
        return;
      }
      const dockerd = spawn(
        'dockerd',
        [
          '--data-root',
          dataRoot,
          '--exec-root',
          join(base, 'exec'),
          '-H',
          `unix://${sock}`,
          '--pidfile',
          join(base, 'docker.pid'),
          '--bridge=none',
          '--iptables=false',
          '--ip6tables=false',
          '--exec-opt',
          'native.cgroupdriver=cgroupfs',
        ],
        { stdio: 'ignore' },
      );
      daemon = dockerd;
      try {
        await retry(
          () => d(['version']),
          () => dockerd.exitCode !== null,
        );
      } catch (err) {
        why = `a second dockerd did not start: ${(err as Error).message}`;
        return;
      }
      const rootfs = makeRootfs(base);
      await d(['import', await rootfs.tar, `graphns-bb2:${tag}`]);
      id = (
        await d([
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'none',
          `graphns-bb2:${tag}`,
          '/bin/sleep',
          '100800',
        ])
      ).stdout.trim();
      pid = Number((await d(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
    });

    after(async () => {
      if (id) await d(['rm', '-f', id]).catch(() => undefined);
      await d(['rmi', '-f', `graphns-bb2:${tag}`]).catch(() => undefined);
      if (daemon && daemon.exitCode === null) {
        const exited = new Promise((r) => daemon!.once('exit', r));
        daemon.kill('SIGTERM');
        await exited;
      }
      if (id) {
        for (const h of readdirSync('/sys/fs/cgroup').map((x) => join('/sys/fs/cgroup', x))) {
          try {
            rmdirSync(join(h, 'docker', id));
          } catch {
            /* gone, or never made in this hierarchy */
          }
        }
      }
      rmSync(base, { recursive: true, force: true });
    });

    test("its container is named from the daemon's own data root", (t) => {
      if (why) return cannot(t, why);
      assert.ok(pid > 0, 'docker inspect gave the container PID');
      const { c } = scan().of(pid);
      assert.deepEqual([c?.engine, c?.id, c?.name], ['docker', id, name], JSON.stringify(c));
      assert.ok(c!.sources.includes('config.v2.json'));
      assert.equal(c!.instance, dataRoot, 'which dockerd: its data root');
      expectNamed(`container "${name}" (docker at ${dataRoot})`, name);
    });
  },
);

layout(
  'rootless podman without systemd (cgroupfs, vfs), as a throwaway user',
  { skip: needRoot || noUseradd },
  ({ before, after, test }) => {
    const tag = randomBytes(3).toString('hex');
    const name = `rl-${tag}`;
    let user: TestUser | undefined;
    let base: string | undefined;
    let why: string | undefined;
    let id = '';
    let pid = 0;
    const podName = `rlpod-${tag}`;
    const inPod = `rlin-${tag}`;
    let podPid = 0;
    let podId = '';
    const asUser = (script: string) =>
      exec(
        'su',
        [
          '-s',
          '/bin/sh',
          user!.name,
          '-c',
          `cd ~ && export XDG_RUNTIME_DIR=/run/user/${user!.uid} && ${script}`,
        ],
        {
          timeout: HANG_MS,
        },
      );
    const P = 'podman --runtime runc --cgroup-manager=cgroupfs';

    before(async () => {
      try {
        await exec('which', ['podman', 'newuidmap', 'su']);
      } catch {
        why = 'rootless podman needs podman and uidmap (apt-get install podman uidmap)';
        return;
      }
      user = makeSessionUser();
      base = mkdtempSync(join(tmpdir(), 'graphns-rootless-'));
      chmodSync(base, 0o755);
      const rootfs = makeRootfs(base);
      const tar = await rootfs.tar;
      chmodSync(tar, 0o644);
      try {
        await asUser(`${P} import ${tar} localhost/graphns-rl:${tag}`);
        const started = await asUser(
          `${P} run -d --network none --ulimit nofile=1024:20000 --ulimit nproc=1024:1024 --name ${name} localhost/graphns-rl:${tag} /bin/sleep 100900`,
        );
        id = started.stdout.trim().split('\n').pop()!;
        pid = Number((await asUser(`${P} inspect -f '{{.State.Pid}}' ${name}`)).stdout.trim());
        await asUser(`${P} pod create --name ${podName} --network none`);
        await asUser(
          `${P} run -d --pod ${podName} --ulimit nofile=1024:20000 --ulimit nproc=1024:1024 --name ${inPod} localhost/graphns-rl:${tag} /bin/sleep 100901`,
        );
        podPid = Number((await asUser(`${P} inspect -f '{{.State.Pid}}' ${inPod}`)).stdout.trim());
        podId = (await asUser(`${P} pod inspect -f '{{.Id}}' ${podName}`)).stdout.trim();
      } catch (err) {
        why = `rootless podman could not run a container here: ${(err as Error).message}`;
      }
    });

    after(async () => {
      if (user) {
        await asUser(
          `${P} pod rm -f ${podName}; ${P} rm -f ${name}; ${P} rmi -f localhost/graphns-rl:${tag}`,
        ).catch(() => undefined);
        // the user's pause process and anything left: ended by uid
        await removeSessionUser(user);
      }
      if (base) rmSync(base, { recursive: true, force: true });
    });

    test('its container is named from its conmon, as its user’s own', (t) => {
      if (why) return cannot(t, why);
      assert.ok(pid > 0 && /^[0-9a-f]{64}$/.test(id), `podman inspect: ${pid} ${id}`);
      const { proc, c } = scan().of(pid);
      assert.equal(proc?.uid, user!.uid, 'the container runs as its user');

      assert.deepEqual([c?.engine, c?.id, c?.name], ['podman', id, name], JSON.stringify(c));
      assert.ok(c!.sources.includes('conmon argv'));
      assert.deepEqual(c!.owner, { uid: user!.uid, user: user!.name }, 'its user’s own container');
      // and the presentations say whose it is
      const tree = runBin('lspidns', []);
      assert.equal(tree.status, 0, tree.stderr);
      assert.ok(
        tree.stdout.includes(`container "${name}" (podman, user ${user!.name})`),
        tree.stdout,
      );
      expectNamed(`container "${name}" (podman, user ${user!.name})`, name);
    });

    test('its pod is named from its user’s libpod database, found through conmon', (t) => {
      if (why) return cannot(t, why);
      assert.ok(podPid > 0 && /^[0-9a-f]{64}$/.test(podId), `podman: ${podPid} ${podId}`);
      const { c } = scan().of(podPid);
      assert.deepEqual([c?.engine, c?.name], ['podman', inPod], JSON.stringify(c));
      assert.deepEqual(c!.pod, { kind: 'podman', id: podId, name: podName });
      assert.deepEqual(c!.owner, { uid: user!.uid, user: user!.name });
      expectNamed(`container "${inPod}" (podman, user ${user!.name}, pod ${podName})`, inPod);
    });
  },
);

layout(
  'podman with its own --root and --runroot (vfs), with a pod',
  { skip: needRoot },
  ({ before, after, test }) => {
    const tag = randomBytes(3).toString('hex');
    const base = mkdtempSync(join(tmpdir(), 'graphns-podroot-'));
    const conf = join(base, 'containers.conf');
    const P = [
      'podman',
      '--runtime',
      'runc',
      '--cgroup-manager=cgroupfs',
      '--root',
      join(base, 'root'),
      '--runroot',
      join(base, 'run'),
      '--storage-driver',
      'vfs',
    ];
    // a pod's infra container needs podman's default nofile limit lowered here
    const p = (args: string[]) =>
      exec(P[0]!, [...P.slice(1), ...args], {
        timeout: HANG_MS,
        env: { ...process.env, CONTAINERS_CONF: conf },
      });
    const pod = `pod-${tag}`;
    const name = `web-${tag}`;
    let why: string | undefined;
    let pid = 0;
    let podId = '';

    before(async () => {
      try {
        await exec('which', ['podman', 'catatonit']);
      } catch {
        why = 'podman with pods needs podman and catatonit (apt-get install podman catatonit)';
        return;
      }
      writeFileSync(
        conf,
        '[containers]\ndefault_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]\n',
      );
      try {
        const rootfs = makeRootfs(base);
        await p(['import', '-q', await rootfs.tar, `localhost/graphns-pr:${tag}`]);
        podId = (await p(['pod', 'create', '--name', pod])).stdout.trim().split('\n').pop()!;
        await p([
          'run',
          '-d',
          '--pod',
          pod,
          '--name',
          name,
          '--ulimit',
          'nofile=1024:20000',
          '--ulimit',
          'nproc=1024:1024',
          `localhost/graphns-pr:${tag}`,
          '/bin/sleep',
          '101000',
        ]);
        pid = Number((await p(['inspect', '-f', '{{.State.Pid}}', name])).stdout.trim());
      } catch (err) {
        why = `podman with its own root could not run a pod here: ${(err as Error).message}`;
      }
    });

    after(async () => {
      try {
        await p(['pod', 'rm', '-f', pod]).catch(() => undefined);
        await p(['rmi', '-af']).catch(() => undefined);
      } finally {
        rmSync(base, { recursive: true, force: true, maxRetries: 5 });
      }
    });

    test("its container and pod are named from its own root's files", (t) => {
      if (why) return cannot(t, why);
      assert.ok(pid > 0 && /^[0-9a-f]{64}$/.test(podId), `podman: pid ${pid}, pod ${podId}`);
      const { c } = scan().of(pid);
      assert.deepEqual(
        [c?.engine, c?.name, c?.pod],
        ['podman', name, { kind: 'podman', name: pod, id: podId }],
        JSON.stringify(c),
      );
      assert.equal(c!.instance, join(base, 'root'), 'which podman: its storage root');
      expectNamed(`container "${name}" (podman at ${join(base, 'root')}, pod ${pod})`, name);
    });
  },
);

layout(
  'a containerd inside a privileged podman container, like kind',
  { skip: needRoot },
  ({ before, after, test }) => {
    const tag = randomBytes(3).toString('hex');
    const base = mkdtempSync(join(tmpdir(), 'graphns-nested-'));
    const conf = join(base, 'containers.conf');
    const outer = `kind-${tag}`;
    const image = `localhost/graphns-nest:${tag}`;
    const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
    const p = (args: string[]) =>
      exec('podman', [...P, ...args], {
        timeout: HANG_MS,
        env: { ...process.env, CONTAINERS_CONF: conf },
      });
    let why: string | undefined;
    let innerPid = 0;

    before(async () => {
      let bins: string[];
      try {
        bins = (
          await exec('which', ['podman', 'containerd', 'containerd-shim-runc-v2', 'runc', 'ctr'])
        ).stdout
          .trim()
          .split('\n');
      } catch {
        why = 'needs podman and containerd (apt-get install podman containerd runc)';
        return;
      }
      writeFileSync(
        conf,
        '[containers]\ndefault_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]\n',
      );
      try {
        const rootfs = makeRootfs(base);
        const tar = await rootfs.tar;
        const archive = await makeOciArchive(base, tar, `docker.io/library/graphns-inner:${tag}`);
        await p(['import', '-q', tar, image]);
        // the host's engine binaries and their libraries, read-only, as kind's node image has its own
        const mounts = [...bins.slice(1), '/lib/x86_64-linux-gnu', '/lib64']
          .filter((x) => existsSync(x))
          .flatMap((x) => ['-v', `${x}:${x}:ro`]);
        await p([
          'run',
          '-d',
          '--privileged',
          '--name',
          outer,
          '--network',
          'none',
          '--ulimit',
          'nofile=1024:20000',
          '--ulimit',
          'nproc=1024:1024',
          ...mounts,
          '-v',
          `${archive}:/inner.tar:ro`,
          '--tmpfs',
          '/run',
          '--tmpfs',
          '/var/lib/containerd',
          '--tmpfs',
          '/tmp',
          image,
          '/bin/sh',
          '-c',
          'containerd > /tmp/containerd.log 2>&1 & exec sleep 101200',
        ]);
        await retry(() => p(['exec', outer, 'ctr', 'version']));
        await p(['exec', outer, 'ctr', 'images', 'import', '/inner.tar']);
        await p([
          'exec',
          outer,
          'ctr',
          'run',
          '-d',
          '--label',
          'nerdctl/name=cart',
          `docker.io/library/graphns-inner:${tag}`,
          'cart1',
          '/bin/sleep',
          '101300',
        ]);
        const row = (await p(['exec', outer, 'ctr', 'task', 'ls'])).stdout;
        // the task's PID is in the outer container's PID namespace: find ours by its argv
        innerPid = await poll(`inner task (ctr task ls: ${row})`, () => pgrep('sleep 101300'));
      } catch (err) {
        why = `a containerd in a podman container could not run here: ${(err as Error).message}`;
      }
    });

    // the outer container takes the inner containerd and its task along
    after(() => removeOuter(p, outer, image, base));

    test('the inner container is named, in the outer one, and not taken for it', (t) => {
      if (why) return cannot(t, why);
      const { m, of } = scan();
      const { c } = of(innerPid);
      const o = m.containers.find((x) => x.key === c?.outer);
      assert.deepEqual(
        [c?.engine, c?.id, c?.name, c?.engineNamespace, o?.engine, o?.name],
        ['containerd', 'cart1', 'cart', 'default', 'podman', outer],
        JSON.stringify([c, o]),
      );
      const tree = runBin('lspidns', []);
      assert.ok(
        tree.stdout.includes(`container "cart" (containerd) in container "${outer}" (podman)`),
        tree.stdout,
      );
      expectNamed(`container "cart" (containerd) in container "${outer}" (podman)`, 'cart');
    });
  },
);

layout(
  'a dockerd inside a privileged podman container (Docker in Docker)',
  { skip: needRoot },
  ({ before, after, test }) => {
    const tag = randomBytes(3).toString('hex');
    const base = mkdtempSync(join(tmpdir(), 'graphns-dind-'));
    const conf = join(base, 'containers.conf');
    const outer = `dind-${tag}`;
    const inner = `shopweb-${tag}`;
    const image = `localhost/graphns-dind:${tag}`;
    const p = (args: string[]) =>
      exec('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', ...args], {
        timeout: HANG_MS,
        env: { ...process.env, CONTAINERS_CONF: conf },
      });
    // Debian's client, which speaks to Debian's dockerd
    const docker = (args: string[]) => p(['exec', outer, '/usr/bin/docker', ...args]);
    let why: string | undefined;
    let innerId = '';
    let innerPid = 0;

    before(async () => {
      const bins = ['dockerd', 'containerd', 'containerd-shim-runc-v2', 'runc', 'docker-init'];
      let paths: string[];
      try {
        paths = (await exec('which', ['podman', ...bins])).stdout.trim().split('\n').slice(1);
        if (!existsSync('/usr/bin/docker')) throw new Error('no /usr/bin/docker');
      } catch {
        why = 'needs podman and Docker (apt-get install podman docker.io)';
        return;
      }
      writeFileSync(
        conf,
        '[containers]\ndefault_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]\n',
      );
      try {
        const tar = await makeRootfs(base).tar;
        await p(['import', '-q', tar, image]);
        // the host's engine binaries and their libraries, read-only, as a docker:dind image has its own
        const mounts = [
          ...paths,
          '/usr/bin/docker',
          '/lib/x86_64-linux-gnu',
          '/usr/lib/x86_64-linux-gnu',
          '/lib64',
        ]
          .filter((x) => existsSync(x))
          .flatMap((x) => ['-v', `${x}:${x}:ro`]);
        await p([
          'run',
          '-d',
          '--privileged',
          '--name',
          outer,
          '--network',
          'none',
          ...mounts,
          '-v',
          `${tar}:/inner.tar:ro`,
          '--tmpfs',
          '/run',
          '--tmpfs',
          '/var/lib/docker',
          '--tmpfs',
          '/tmp',
          image,
          '/bin/sh',
          '-c',
          'PATH=/usr/sbin:/usr/bin:/bin dockerd --iptables=false --ip6tables=false --bridge=none ' +
            '--exec-opt native.cgroupdriver=cgroupfs > /tmp/dockerd.log 2>&1 & exec sleep 101500',
        ]);
        await retry(() => docker(['version']));
        await docker(['import', '/inner.tar', `inner:${tag}`]);
        innerId = (
          await docker([
            'run',
            '-d',
            '--name',
            inner,
            '--network',
            'none',
            `inner:${tag}`,
            '/bin/sleep',
            '101600',
          ])
        ).stdout
          .trim()
          .split('\n')
          .pop()!;
        // the inner dockerd's PID namespace is the outer container's: ours from the host's view
        innerPid = await poll('process of the inner container', () => pgrep('sleep 101600'));
      } catch (err) {
        why = `a dockerd in a podman container could not run here: ${(err as Error).message}`;
      }
    });

    // the outer container takes the inner dockerd and its container along
    after(() => removeOuter(p, outer, image, base));

    test('the inner Docker container is named from the inner dockerd’s files, in the outer one', (t) => {
      if (why) return cannot(t, why);
      assert.match(innerId, /^[0-9a-f]{64}$/);
      const { m, of } = scan();
      const { c } = of(innerPid);
      const o = m.containers.find((x) => x.key === c?.outer);
      assert.deepEqual(
        [c?.engine, c?.id, c?.name, o?.engine, o?.name],
        ['docker', innerId, inner, 'podman', outer],
        JSON.stringify([c, o]),
      );
      assert.ok(c!.sources.includes('config.v2.json'));
      expectNamed(`container "${inner}" (docker) in container "${outer}" (podman)`, inner);
    });
  },
);

layout(
  'rootless Docker (dockerd-rootless.sh under rootlesskit), as a throwaway user',
  { skip: needRoot || noUseradd },
  ({ before, after, test }) => {
    const SCRIPT = '/usr/share/docker.io/contrib/dockerd-rootless.sh';
    const tag = randomBytes(3).toString('hex');
    const name = `rd-${tag}`;
    let user: TestUser | undefined;
    let base: string | undefined;
    let why: string | undefined;
    let id = '';
    let pid = 0;
    const env = () =>
      [
        'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
        `XDG_RUNTIME_DIR=/run/user/${user!.uid}`,
        `DOCKER_HOST=unix:///run/user/${user!.uid}/docker.sock`,
        // no tap device for slirp4netns here: the host's network, no port forwarding
        'DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host',
        'DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none',
        'DOCKERD_ROOTLESS_ROOTLESSKIT_MTU=0',
      ].join(' ');
    const asUser = (script: string) =>
      exec('su', ['-', user!.name, '-c', `export ${env()}; ${script}`], { timeout: HANG_MS });

    before(async () => {
      try {
        await exec('which', ['rootlesskit', 'dockerd', 'newuidmap', 'su']);
        if (!existsSync(SCRIPT)) throw new Error(`no ${SCRIPT}`);
      } catch {
        why =
          'rootless Docker needs docker.io, rootlesskit and uidmap (apt-get install rootlesskit uidmap)';
        return;
      }
      user = makeSessionUser();
      base = mkdtempSync(join(tmpdir(), 'graphns-rootless-docker-'));
      chmodSync(base, 0o755);
      const tar = await makeRootfs(base).tar;
      chmodSync(tar, 0o644);
      try {
        await asUser(
          `nohup ${SCRIPT} --iptables=false --ip6tables=false --bridge=none > ~/dockerd.log 2>&1 &`,
        );
        await retry(() => asUser('/usr/bin/docker version'));
        await asUser(`/usr/bin/docker import ${tar} graphns-rd:${tag}`);
        id = (
          await asUser(
            `/usr/bin/docker run -d --name ${name} --network none graphns-rd:${tag} /bin/sleep 101400`,
          )
        ).stdout
          .trim()
          .split('\n')
          .pop()!;
        pid = Number(
          (await asUser(`/usr/bin/docker inspect -f '{{.State.Pid}}' ${name}`)).stdout.trim(),
        );
      } catch (err) {
        why = `rootless Docker could not run a container here: ${(err as Error).message}`;
      }
    });

    after(async () => {
      try {
        if (user) {
          await asUser(
            `/usr/bin/docker rm -f ${name}; /usr/bin/docker rmi -f graphns-rd:${tag}`,
          ).catch(() => undefined);
        }
      } finally {
        // its dockerd, rootlesskit and containerd: ended by uid
        await removeSessionUser(user);
        if (base) rmSync(base, { recursive: true, force: true });
      }
    });

    test('its container is named from its shim and its data root, as its user’s own', (t) => {
      if (why) return cannot(t, why);
      assert.ok(pid > 0 && /^[0-9a-f]{64}$/.test(id), `docker inspect: ${pid} ${id}`);
      const { c } = scan().of(pid);

      assert.deepEqual(
        [c?.engine, c?.id, c?.name, c?.owner],
        ['docker', id, name, { uid: user!.uid, user: user!.name }],
        JSON.stringify(c),
      );
      expectNamed(`container "${name}" (docker, user ${user!.name})`, name);
    });
  },
);

describe(
  'every layout at once, beside the six engines of the default scene',
  { skip: needRoot },
  () => {
    let engines: Engines | undefined;
    const running = layouts.filter((l) => !l.skip);

    before(async () => {
      engines = await Engines.up(ENGINE_GROUPS);
      // one after the other: each layout's start says why it could not, its test reports it
      for (const l of running)
        for (const start of l.starts) await start().catch((err: unknown) => (l.failed ??= err));
    });

    after(async () => {
      // every layout's removal, whatever another's did; the engines last
      const failures: unknown[] = [];
      for (const l of [...running].reverse())
        for (const stop of l.stops) await stop().catch((err: unknown) => failures.push(err));
      await engines?.down();
      if (failures.length > 0) throw failures[0];
    });

    for (const l of layouts)
      describe(l.title, { skip: l.skip }, () => {
        for (const [name, check] of l.tests)
          test(name, (t) => {
            if (l.failed) throw l.failed;
            return check(t);
          });
      });

    test('one scan names every container of every layout and of the default scene, in every presentation', () => {
      const all = [...expected];
      // the default scene's containers, as their engines report them (a pod shown whole says its pod)
      const m = discover({ tasks: false, fds: false, mounts: false });
      for (const g of ENGINE_GROUPS) {
        if (engines!.skip(g)) continue; // (under CI, skip() fails the run instead)
        for (const e of engines!.of(g)) {
          const proc = m.processes.find((p) => p.pid === e.pid);
          const c = m.containers.find((x) => x.key === proc?.container);
          assert.equal(
            c?.name,
            e.name,
            `${g} ${e.name} is named in the model: ${JSON.stringify(c)}`,
          );
          if (e.pod) assert.equal(c?.pod?.name, e.pod.name, `${e.name} is in pod ${e.pod.name}`);
          // a pod member may be shown as its pod (`pod shop-pod (podman)`, `pod prod/cart-7d9f`)
          const pod = e.pod && (e.pod.namespace ? `${e.pod.namespace}/${e.pod.name}` : e.pod.name);
          all.push(
            pod
              ? { words: `pod ${pod}`, name: e.pod!.name }
              : { words: `"${e.name}"`, name: e.name },
          );
        }
      }
      // every layout's test ran and said what it expects
      assert.ok(
        expected.length >= running.length,
        `${expected.length} expectations from ${running.length} layouts`,
      );
      assert.deepEqual(namedEverywhere(all), []);
    });
  },
);
