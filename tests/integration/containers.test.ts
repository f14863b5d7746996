/**
 * Container engines for real: podman (with a pod), Docker, containerd (with
 * a Kubernetes-style pod), LXC, systemd-nspawn and bubblewrap all running
 * at once (tests/helpers/engines.ts starts them). First the harness is held
 * against the kernel (each engine's PID has its own namespaces, shared ones
 * are shared), then discovery and the built commands against what the
 * engines themselves report (`podman inspect`, `docker inspect`,
 * `ctr task ls`, `lxc-info`, the argv given to nspawn and bwrap). An engine
 * that cannot start here skips its cases with the reason; under CI=true
 * (where .ci/run installs every engine) it fails them.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../main/discover';
import { graphOf, parseModel, type Model, type NsKey } from '../../main/model';
import { runBin } from '../helpers/bins';
import { HANG_MS, needRoot, unmetNeed } from '../helpers/scene';
import { Engines, type EngineContainer, type EngineGroup } from '../helpers/engines';

/** `type:inode` of a process's namespace, from the kernel's link text. */
function nsKey(pid: number | 'self', type: string): NsKey {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/${type}`));
  assert.ok(m, `ns link of ${pid}/${type}`);
  return `${type}:${m[2]}` as NsKey;
}

const NS_TYPES = ['user', 'pid', 'net', 'uts', 'ipc', 'mnt', 'cgroup', 'time'] as const;

/** Field 22 of /proc/PID/stat (start time), or undefined when the PID is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const argvOf = (pid: number) =>
  readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

let eng: Engines;
const t0 = Date.now();

/** The containers of one engine group, or a skip with the engine's reason. */
function need(t: TestContext, g: EngineGroup): EngineContainer[] | undefined {
  const why = eng.skip(g);
  if (why !== false) {
    t.skip(why);
    return undefined;
  }
  return eng.of(g);
}

describe('container engines on this machine', { skip: needRoot }, () => {
  before(
    async () => {
      eng = await Engines.up();
      console.log(`# engines up in ${eng.upMs} ms: ${eng.timings()}`);
      if (eng.podSkip) console.log(`# podman pod skipped: ${eng.podSkip}`);
    },
    { timeout: 600_000 },
  );
  after(
    async () => {
      if (!eng) return;
      const s = Date.now();
      const started = eng.containers.map((c) => ({ c, start: startTime(c.pid) }));
      const errors = await eng.down();
      console.log(`# engines down in ${Date.now() - s} ms; whole file ${Date.now() - t0} ms`);
      assert.deepEqual(errors, [], 'every started container, image and daemon removed');
      // the same process (PID and start time) is gone, and the engines no longer list the ids
      const alive = started
        .filter(({ c, start }) => startTime(c.pid) === start)
        .map(({ c }) => c.name);
      assert.deepEqual(alive, [], 'container processes still running');
      const listed = (argv: string[]) => {
        try {
          return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: HANG_MS });
        } catch {
          return ''; // the daemon we started is gone: nothing listed
        }
      };
      const podman = listed(['podman', 'ps', '-a', '-q', '--no-trunc']);
      const lxc = listed(['lxc-ls', '-1']).split('\n');
      const left = started
        .map(({ c }) => c)
        .filter(
          (c) =>
            (c.engine === 'podman' && podman.includes(c.id)) ||
            (c.engine === 'lxc' && lxc.includes(c.id)),
        )
        .map((c) => `${c.engine} ${c.name}`);
      assert.deepEqual(left, [], 'containers still known to their engine');
    },
    { timeout: 300_000 },
  );

  describe('the harness against the kernel', () => {
    for (const g of ['podman', 'docker', 'containerd', 'lxc', 'nspawn', 'bubblewrap'] as const) {
      test(`${g}: each container's PID runs our sleep in a PID and mount namespace of its own`, (t) => {
        const cs = need(t, g);
        if (!cs) return;
        assert.ok(cs.length > 0);
        const hostPid = nsKey('self', 'pid');
        const hostMnt = nsKey('self', 'mnt');
        for (const c of cs) {
          // podman's pod infra runs catatonit, LXC's busybox template runs init
          if (!c.sandbox && g !== 'lxc')
            assert.equal(argvOf(c.pid)[0], '/bin/sleep', `${c.name}: argv`);
          assert.notEqual(nsKey(c.pid, 'pid'), hostPid, `${c.name}: own pid ns`);
          assert.notEqual(nsKey(c.pid, 'mnt'), hostMnt, `${c.name}: own mnt ns`);
          // nspawn without --private-network keeps the host's network
          if (g !== 'nspawn')
            assert.notEqual(nsKey(c.pid, 'net'), nsKey('self', 'net'), `${c.name}: own net ns`);
        }
      });
    }

    test('the OCI engines put each container in a cgroup named by its id', (t) => {
      for (const g of ['podman', 'docker', 'containerd'] as const) {
        if (eng.skip(g) !== false) {
          t.diagnostic(`${g}: ${eng.skip(g)}`);
          continue;
        }
        for (const c of eng.of(g)) {
          const cg = readFileSync(`/proc/${c.pid}/cgroup`, 'utf8');
          assert.ok(cg.includes(c.id), `${c.engine} ${c.name}: ${cg}`);
        }
      }
    });

    test('podman: side shares web1 network namespace, mapped has its own user namespace', (t) => {
      if (!need(t, 'podman')) return;
      const web1 = eng.byBase('podman', 'web1')!;
      const side = eng.byBase('podman', 'side')!;
      const mapped = eng.byBase('podman', 'mapped')!;
      assert.equal(nsKey(side.pid, 'net'), nsKey(web1.pid, 'net'));
      assert.notEqual(nsKey(side.pid, 'pid'), nsKey(web1.pid, 'pid'));
      assert.notEqual(nsKey(mapped.pid, 'user'), nsKey('self', 'user'));
      assert.match(
        readFileSync(`/proc/${mapped.pid}/uid_map`, 'utf8'),
        /^\s*0\s+100000\s+65536\s*$/,
      );
    });

    test('podman pod: the member shares the infra container net, ipc and uts', (t) => {
      if (!need(t, 'podman')) return;
      if (eng.podSkip) return t.skip(unmetNeed(eng.podSkip));
      const pod = eng.of('podman').filter((c) => c.pod);
      const infra = pod.find((c) => c.sandbox);
      const member = pod.find((c) => !c.sandbox);
      assert.ok(infra && member, 'podman pod has an infra container and a member');
      for (const type of ['net', 'ipc', 'uts'])
        assert.equal(nsKey(member.pid, type), nsKey(infra.pid, type), type);
      assert.notEqual(nsKey(member.pid, 'pid'), nsKey(infra.pid, 'pid'));
    });

    test('docker: web-side shares web network namespace', (t) => {
      if (!need(t, 'docker')) return;
      const web = eng.byBase('docker', 'web')!;
      const side = eng.byBase('docker', 'web-side')!;
      assert.equal(nsKey(side.pid, 'net'), nsKey(web.pid, 'net'));
      assert.notEqual(nsKey(side.pid, 'pid'), nsKey(web.pid, 'pid'));
    });

    test('kubernetes pod: the member joined the sandbox net, ipc and uts; both bundles carry the CRI annotations', (t) => {
      if (!need(t, 'containerd')) return;
      const sandbox = eng.of('containerd').find((c) => c.engine === 'kubernetes' && c.sandbox)!;
      const member = eng.of('containerd').find((c) => c.engine === 'kubernetes' && !c.sandbox)!;
      for (const type of ['net', 'ipc', 'uts'])
        assert.equal(nsKey(member.pid, type), nsKey(sandbox.pid, type), type);
      assert.notEqual(nsKey(member.pid, 'pid'), nsKey(sandbox.pid, 'pid'));
      for (const c of [sandbox, member]) {
        const bundle = `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${c.id}/config.json`;
        const a = (
          JSON.parse(readFileSync(bundle, 'utf8')) as { annotations: Record<string, string> }
        ).annotations;
        assert.equal(a['io.kubernetes.cri.container-type'], c.sandbox ? 'sandbox' : 'container');
        assert.equal(a['io.kubernetes.cri.sandbox-id'], sandbox.id);
        assert.equal(a['io.kubernetes.cri.sandbox-name'], 'cart-7d9f');
        assert.equal(a['io.kubernetes.cri.sandbox-namespace'], 'prod');
        assert.equal(a['io.kubernetes.cri.sandbox-uid'], c.pod!.id);
        if (!c.sandbox) assert.equal(a['io.kubernetes.cri.container-name'], 'cart');
        // as kubelet's cgroupfs driver lays a pod out
        assert.match(
          readFileSync(`/proc/${c.pid}/cgroup`, 'utf8'),
          new RegExp(`/kubepods/besteffort/pod${c.pod!.id}/${c.id}$`, 'm'),
        );
      }
    });

    test('containerd: api1 bundle carries the nerdctl name and compose labels', (t) => {
      if (!need(t, 'containerd')) return;
      const api = eng.of('containerd').find((c) => c.engine === 'containerd')!;
      const bundle = `/run/containerd/io.containerd.runtime.v2.task/demo/${api.id}/config.json`;
      const a = (
        JSON.parse(readFileSync(bundle, 'utf8')) as { annotations: Record<string, string> }
      ).annotations;
      assert.equal(a['nerdctl/name'], 'api');
      assert.equal(a['com.docker.compose.project'], 'shop');
    });

    test('nspawn and bubblewrap: the hostname inside is the name given', (t) => {
      for (const g of ['nspawn', 'bubblewrap'] as const) {
        if (eng.skip(g) !== false) {
          t.diagnostic(`${g}: ${eng.skip(g)}`);
          continue;
        }
        for (const c of eng.of(g)) {
          // the uts namespace answers for whoever asks from inside it
          const inside = execFileSync('nsenter', ['-t', String(c.pid), '-u', 'hostname'], {
            encoding: 'utf8',
          });
          assert.equal(inside.trim(), c.name);
        }
      }
    });
  });

  describe('discovery against the engines', () => {
    let model: Model;
    before(() => {
      model = discover();
    });

    for (const g of ['podman', 'docker', 'containerd', 'lxc', 'nspawn', 'bubblewrap'] as const) {
      test(`${g}: each container found with the engine, name, pod and PID its engine reports, and named on every namespace of its PID`, (t) => {
        const cs = need(t, g);
        if (!cs) return;
        assert.deepEqual(mismatches(model, cs), []);
      });
    }

    test('the comparison catches a wrong engine, name, pod or PID', (t) => {
      const c = eng.containers.find((x) => x.pod && !x.sandbox);
      if (!c) return t.skip(unmetNeed('no pod member started here'));
      assert.deepEqual(mismatches(model, [c]), []);
      for (const bad of [
        { ...c, engine: 'docker' as const },
        { ...c, name: `${c.name}x` },
        { ...c, pod: { ...c.pod!, name: 'other' } },
        { ...c, pid: process.pid },
      ])
        assert.notDeepEqual(mismatches(model, [bad]), [], JSON.stringify(bad));
    });

    test('shared namespaces list every container sharing them', (t) => {
      const groups: [string, EngineContainer[], string[]][] = [];
      if (eng.skip('podman') === false) {
        groups.push([
          'podman web1/side',
          [eng.byBase('podman', 'web1')!, eng.byBase('podman', 'side')!],
          ['net'],
        ]);
        const pod = eng.of('podman').filter((c) => c.pod);
        if (pod.length > 1) groups.push(['podman pod', pod, ['net', 'ipc', 'uts']]);
      } else t.diagnostic(`podman: ${eng.skip('podman')}`);
      if (eng.skip('docker') === false)
        groups.push([
          'docker web/web-side',
          [eng.byBase('docker', 'web')!, eng.byBase('docker', 'web-side')!],
          ['net'],
        ]);
      else t.diagnostic(`docker: ${eng.skip('docker')}`);
      if (eng.skip('containerd') === false)
        groups.push([
          'kubernetes pod',
          eng.of('containerd').filter((c) => c.engine === 'kubernetes'),
          ['net', 'ipc', 'uts'],
        ]);
      else t.diagnostic(`containerd: ${eng.skip('containerd')}`);
      if (groups.length === 0) return t.skip(unmetNeed('no engine with shared namespaces started'));
      const g = graphOf(model);
      const wrong: string[] = [];
      for (const [what, cs, types] of groups)
        for (const type of types) {
          const k = nsKey(cs[0]!.pid, type);
          // by key (engine:id), the engine's own id for each
          const listed: string[] = g.containersOf(k).map((c) => c.key);
          for (const c of cs)
            if (!listed.includes(`${c.engine}:${c.id}`))
              wrong.push(`${what} ${k}: ${c.engine} ${c.name} missing from [${listed.join(', ')}]`);
        }
      assert.deepEqual(wrong, []);
    });
  });

  describe('the built commands name every container', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'graphns-containers-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Containers whose name and engine no line of `text` shows together. */
    const unnamed = (text: string, cs: EngineContainer[]) =>
      cs
        .filter((c) => !text.split('\n').some((l) => l.includes(shown(c)) && l.includes(c.engine)))
        .map((c) => `${c.engine} ${c.name}`);

    test('lsuserns -d and lspidns', (t) => {
      if (eng.containers.length === 0) return t.skip(unmetNeed('no engine started here'));
      const u = runBin('lsuserns', ['-d']);
      assert.equal(u.status, 0, u.stderr);
      assert.deepEqual(unnamed(u.stdout, eng.containers), [], 'lsuserns -d');
      const p = runBin('lspidns', []);
      assert.equal(p.status, 0, p.stderr);
      // every container here has a PID namespace of its own
      assert.deepEqual(unnamed(p.stdout, eng.containers), [], 'lspidns');
    });

    test('graphns --json snapshot has them; --open of it gives the same containers, and its DOT names them', (t) => {
      if (eng.containers.length === 0) return t.skip(unmetNeed('no engine started here'));
      const j = runBin('graphns', ['--json']);
      assert.equal(j.status, 0, j.stderr);
      const snap = join(dir, 'snap.json');
      writeFileSync(snap, j.stdout);
      const live = parseModel(j.stdout);
      assert.deepEqual(mismatches(live, eng.containers), [], 'graphns --json');
      const o = runBin('graphns', ['--open', snap, '--json']);
      assert.equal(o.status, 0, o.stderr);
      assert.deepEqual(parseModel(o.stdout).containers, live.containers);
      const d = runBin('graphns', ['--open', snap, '-d', '--dot']);
      assert.equal(d.status, 0, d.stderr);
      const missing = eng.containers
        .filter((c) => !d.stdout.includes(shown(c, false)))
        .map((c) => `${c.engine} ${c.name}`);
      assert.deepEqual(missing, [], 'graphns --open -d --dot');
      const live2 = runBin('graphns', ['-d', '--dot']);
      assert.equal(live2.status, 0, live2.stderr);
      assert.deepEqual(
        eng.containers
          .filter((c) => !live2.stdout.includes(shown(c, false)))
          .map((c) => `${c.engine} ${c.name}`),
        [],
        'graphns -d --dot',
      );
      // laid out: the SVG a user saves carries each name as text (bold in the labels)
      const svg = join(dir, 'host.svg');
      const w = runBin('graphns', ['--open', snap, '-d', '--output', svg]);
      assert.equal(w.status, 0, w.stderr);
      // Graphviz writes '-' as &#45; in SVG text
      const text = readFileSync(svg, 'utf8').replaceAll('&#45;', '-');
      assert.deepEqual(
        eng.containers.filter((c) => !text.includes(`>${c.name}</text>`)).map((c) => c.name),
        [],
        'graphns --open -d --output',
      );
    });
  });
});

/** How a container is shown: its name, quoted in the tree text. */
function shown(c: EngineContainer, quoted = true): string {
  return quoted ? `"${c.name}"` : c.name;
}

/**
 * What `model` says wrongly about the engines' containers, one line each
 * (expected from the engine, then what the model has); [] when all agree.
 */
function mismatches(model: Model, cs: readonly EngineContainer[]): string[] {
  const g = graphOf(model);
  const out: string[] = [];
  for (const c of cs) {
    const at = `${c.engine} ${c.name} (pid ${c.pid})`;
    const found = model.containers.find((x) => x.pids.includes(c.pid));
    if (!found) {
      out.push(`${at}: no container holds the pid`);
      continue;
    }
    const want = (what: string, expected: unknown, actual: unknown) => {
      if (JSON.stringify(expected) !== JSON.stringify(actual))
        out.push(
          `${at}: ${what} expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`,
        );
    };
    want('engine', c.engine, found.engine);
    // nspawn without machined and bubblewrap have no id of their own to compare
    if (c.engine !== 'nspawn' && c.engine !== 'bubblewrap') want('id', c.id, found.id);
    // A CRI sandbox's name is its pod's (PodSandboxMetadata.name, what `crictl pods`
    // shows); discovery leaves the sandbox unnamed, its pod is checked below
    want('name', c.name, found.name);
    if (c.pod)
      want(
        'pod',
        {
          kind: c.engine === 'kubernetes' ? 'kubernetes' : 'podman',
          name: c.pod.name,
          namespace: c.pod.namespace,
          // podman's pod id; the Kubernetes pod uid we gave (annotation and cgroup path)
          id: c.pod.id,
        },
        found.pod && {
          kind: found.pod.kind,
          name: found.pod.name,
          namespace: found.pod.namespace,
          id: found.pod.id,
        },
      );
    else want('pod', undefined, found.pod);
    want('sandbox', c.sandbox ?? false, found.sandbox ?? false);
    if (c.compose) want('compose project', c.compose, found.compose?.project);
    if (c.engineNamespace) want('containerd namespace', c.engineNamespace, found.engineNamespace);
    const proc = model.processes.find((p) => p.pid === c.pid);
    want('the process container', found.key, proc?.container);
    for (const type of NS_TYPES) {
      const k = nsKey(c.pid, type);
      if (!g.containersOf(k).some((x) => x.key === found.key))
        out.push(`${at}: ${k} does not list ${found.key}`);
    }
  }
  return out;
}
