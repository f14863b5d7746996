/**
 * The container engines' own networks, for real: a user-defined Docker
 * bridge network (`docker network create`) with two containers on it and
 * one container on Docker's default bridge (docker0), and a podman network
 * (`podman network create`, CNI or netavark, whichever this podman has)
 * with a container on it. The oracle is the kernel as `ip` reports it:
 * each container's network namespace from /proc/PID/ns/net (Docker's also
 * bind-mounted under /run/docker/netns), `nsenter -t PID -n ip -j -d link`
 * and `ip -j addr` inside, the host's bridges (`ip -j -d link show type
 * bridge`), its veths' masters and the nsid the host has for each
 * container's namespace (`ip netns list-id`, Docker's sandboxes named by a
 * private bind of /run/docker/netns over /run/netns). Never graphns's own
 * output.
 *
 * Checked: `lsnetns -J` lists every interface of each container's
 * namespace and of the host's as ip does; each container's eth0 has the
 * host-side veth as its peer (key net:<ino>), whose master is that
 * network's bridge; the tree names the container on both ends and
 * Docker's sandbox as `netns "<id>"`; `graphns --net --dot` draws the pair
 * as one edge between the container's eth0 and the host-side veth, under
 * the bridge.
 *
 * The engines run here as tests/helpers/engines.ts runs them (root,
 * cgroupfs, runc, images imported from a busybox rootfs), but the harness
 * starts its dockerd with `--bridge=none`, and this test needs Docker's
 * default bridge: so Engines is only asked for the machine's one engine
 * scene (its lock, and the engines' cgroups removed after), and this file
 * starts dockerd itself (unless one answers) and removes exactly what it
 * made: containers, networks, images, its dockerd, and docker0 when that
 * dockerd made it. Under CI=true an engine that cannot run fails (unmetNeed).
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../../main/model';
import { runBin } from '../helpers/bins';
import { Engines, makeRootfs, missingPackages } from '../helpers/engines';
import { ipRows, kindOf, modelRows, type IpAddr, type IpLink, type IpState } from '../helpers/net';
import { HANG_MS, needRoot, unmetNeed } from '../helpers/scene';

const tag = randomBytes(3).toString('hex');
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const PODMAN = ['podman', '--runtime', 'runc', '--cgroup-manager=cgroupfs'];
const t0 = Date.now();

/** Run a command, resolve its stdout; reject with the tail of its stderr (killed only when hung). */
function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { env, timeout: HANG_MS, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve(String(stdout));
        const why = String(stderr).trim().split('\n').slice(-3).join(' | ') || err.message;
        reject(new Error(`${argv.join(' ')}: ${why}`));
      },
    );
  });
}

const sh = (argv: string[]) =>
  execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: HANG_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Poll until `f` gives a value; `f` returns null on a state that shows it never will. */
async function until<T>(f: () => Promise<T | undefined | null>, what: string): Promise<T> {
  const end = Date.now() + HANG_MS;
  for (;;) {
    const v = await f();
    if (v === null) throw new Error(`${what}: will not happen`);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`hung waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One container as its engine reports it. */
interface Box {
  engine: 'docker' | 'podman';
  name: string;
  pid: number;
  /** The engine's sandbox path (Docker: /var/run/docker/netns/<id>; podman: /run/netns/netns-<uuid>). */
  sandbox: string;
  /** The host bridge of its network, by the engine's word. */
  bridge: string;
}

/** `ip` run in the host's namespace, or in a container's (nsenter -t PID -n). */
const ipIn = (pid?: number) => (pid ? ['nsenter', '-t', String(pid), '-n', 'ip'] : ['ip']);
const ipJson = <T>(pid: number | undefined, ...args: string[]) =>
  JSON.parse(sh([...ipIn(pid), '-j', '-d', ...args])) as T;

const ipState = (pid?: number): IpState => ({
  links: ipJson<IpLink[]>(pid, 'link', 'show'),
  addrs: ipJson<IpAddr[]>(pid, 'addr', 'show'),
});

/**
 * Whether a namespace's links are settled: every link but lo UP, no
 * address still tentative, and the IPv6 link-local each link with IPv6 on
 * gets (Docker turns IPv6 off in its containers). `only` limits it to
 * some links (the host's ours).
 */
function settled(pid: number | undefined, only?: (l: IpLink) => boolean): boolean {
  const s = ipState(pid);
  return s.links
    .filter((l) => l.link_type !== 'loopback' && (!only || only(l)))
    .every((l) => {
      const addrs = s.addrs.find((a) => a.ifindex === l.ifindex)?.addr_info ?? [];
      const v6off =
        sh([
          ...(pid ? ['nsenter', '-t', String(pid), '-n'] : []),
          'cat',
          `/proc/sys/net/ipv6/conf/${l.ifname}/disable_ipv6`,
        ]).trim() === '1';
      return (
        l.operstate === 'UP' &&
        addrs.every((a) => !a.tentative) &&
        (v6off || addrs.some((a) => a.local.startsWith('fe80:')))
      );
    });
}

/**
 * The nsid the host has for each bind-mounted namespace in `dir`, by the
 * mount's name: ip names only /run/netns, so `dir` is bind-mounted over it
 * (with the namespaces' own bind mounts below it: --rbind) in a private
 * mount namespace of its own, gone with it; the host's mounts are
 * untouched. (ip says on stderr that a file there is no namespace: a
 * stale one Docker left.)
 */
function hostNsids(dir: string): Map<string, number> {
  const out = sh([
    'unshare',
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    `mount --rbind "$1" /run/netns && ip -j netns list-id`,
    'sh',
    dir,
  ]);
  const ids = JSON.parse(out) as { nsid: number; name?: string }[];
  return new Map(ids.filter((i) => i.name).map((i) => [i.name!, i.nsid]));
}

/** Tree lines with their depth (the column of "── "), to find each line's parent. */
function treeLines(text: string): { line: string; depth: number }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ line, depth: line.indexOf('── ') }));
}

/** The line above `i` that is its parent in the tree. */
function parentOf(lines: { line: string; depth: number }[], i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) if (lines[j]!.depth < lines[i]!.depth) return lines[j]!.line;
  return undefined;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let eng: Engines | undefined;
const cleanups: { what: string; fn: () => Promise<unknown> }[] = [];
const boxes: Box[] = [];
let dockerSkip: string | undefined;
let podmanSkip: string | undefined;
let podmanBackend = '';
/** Bridges and networks made here, which must be gone after. */
const madeBridges: string[] = [];

/** The containers of one engine, or a skip (under CI=true: a failure) with its reason. */
function need(t: TestContext, engine: Box['engine']): Box[] | undefined {
  const why = engine === 'docker' ? dockerSkip : podmanSkip;
  if (why !== undefined) {
    t.skip(unmetNeed(why));
    return undefined;
  }
  return boxes.filter((b) => b.engine === engine);
}

/** Docker: our dockerd unless one answers; a user-defined network with two containers, one on docker0. */
async function docker(tar: string, tmp: string): Promise<void> {
  const D = (...args: string[]) => run([DOCKER, ...args]);
  const answers = () =>
    D('version').then(
      () => true,
      () => false,
    );
  if (!(await answers())) {
    const docker0Before = existsSync('/sys/class/net/docker0');
    const log = join(tmp, 'dockerd.log');
    const fd = openSync(log, 'a');
    // the default bridge on (the harness's --bridge=none has none); the host's firewall untouched
    const d: ChildProcess = spawn(
      'dockerd',
      [
        '--exec-opt',
        'native.cgroupdriver=cgroupfs',
        '--iptables=false',
        '--ip6tables=false',
        '-H',
        'unix:///var/run/docker.sock',
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    d.on('error', () => undefined);
    cleanups.push({
      what: 'stop dockerd',
      fn: async () => {
        if (d.exitCode === null && d.signalCode === null) {
          const gone = new Promise((r) => d.once('exit', r));
          d.kill('SIGTERM');
          const hung = setTimeout(() => d.kill('SIGKILL'), HANG_MS);
          await gone;
          clearTimeout(hung);
        }
        // dockerd leaves its default bridge behind: ours to remove when it made it
        if (!docker0Before && existsSync('/sys/class/net/docker0'))
          await run(['ip', 'link', 'del', 'docker0']);
      },
    });
    await until(
      async () => ((await answers()) ? true : d.exitCode !== null ? null : undefined),
      `dockerd to answer (log: ${log})`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${readFileSync(log, 'utf8').trim().split('\n').slice(-2)}`);
    });
  }
  const image = `graphns-net-bb:${tag}`;
  await D('import', tar, image);
  cleanups.push({ what: `docker rmi ${image}`, fn: () => D('rmi', '-f', image) });
  const net = `gn-${tag}`;
  const netId = (await D('network', 'create', net)).trim();
  cleanups.push({ what: `docker network rm ${net}`, fn: () => D('network', 'rm', net) });
  // the bridge Docker made for it: its option when set, else br-<first 12 of the id>
  const opt = (
    await D('network', 'inspect', '-f', '{{index .Options "com.docker.network.bridge.name"}}', net)
  ).trim();
  const netBridge = opt && opt !== '<no value>' ? opt : `br-${netId.slice(0, 12)}`;
  madeBridges.push(netBridge);
  const defaultBridge = (
    await D(
      'network',
      'inspect',
      '-f',
      '{{index .Options "com.docker.network.bridge.name"}}',
      'bridge',
    ).catch(() => '')
  ).trim();
  if (!defaultBridge || defaultBridge === '<no value>')
    throw new Error('the dockerd that answers has no default bridge network (--bridge=none?)');
  const start = async (name: string, network: string, bridge: string) => {
    const id = (
      await D('run', '-d', '--name', name, '--network', network, image, '/bin/sleep', '100500')
    ).trim();
    cleanups.push({ what: `docker rm ${name}`, fn: () => D('rm', '-f', id) });
    const [pid, key] = (
      await D('inspect', '-f', '{{.State.Pid}} {{.NetworkSettings.SandboxKey}}', id)
    )
      .trim()
      .split(' ');
    boxes.push({ engine: 'docker', name, pid: Number(pid), sandbox: key!, bridge });
  };
  await start(`gn-${tag}-a`, net, netBridge);
  await start(`gn-${tag}-b`, net, netBridge);
  await start(`gn-${tag}-d`, 'bridge', defaultBridge);
}

/** podman: a network of its own (CNI or netavark) with one container. */
async function podman(tar: string, tmp: string): Promise<void> {
  // runc cannot raise RLIMIT_NOFILE here (engines.ts does the same)
  const conf = join(tmp, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const P = (...args: string[]) => run([...PODMAN, ...args], env);
  podmanBackend = (await P('info', '--format', '{{.Host.NetworkBackend}}')).trim();
  const image = `localhost/graphns-net-bb:${tag}`;
  await P('import', '-q', tar, image);
  cleanups.push({ what: `podman rmi ${image}`, fn: () => P('rmi', '-f', image) });
  const net = `gnp-${tag}`;
  await P('network', 'create', net);
  cleanups.push({ what: `podman network rm ${net}`, fn: () => P('network', 'rm', '-f', net) });
  const bridge = (await P('network', 'inspect', '-f', '{{.NetworkInterface}}', net)).trim();
  madeBridges.push(bridge);
  const name = `gnp-${tag}-a`;
  const id = (
    await P('run', '-d', '--name', name, '--network', net, image, '/bin/sleep', '100501')
  ).trim();
  cleanups.push({ what: `podman rm ${name}`, fn: () => P('rm', '-f', '-t', '0', id) });
  const [pid, key] = (
    await P('inspect', '-f', '{{.State.Pid}} {{.NetworkSettings.SandboxKey}}', id)
  )
    .trim()
    .split(' ');
  boxes.push({ engine: 'podman', name, pid: Number(pid), sandbox: key!, bridge });
}

/** ip in the host's namespace (this test's own). */
const hostPid = undefined;
const key = (path: string) => `net:${statSync(path).ino}`;

describe('the container engines’ own networks', { skip: needRoot }, () => {
  before(
    async () => {
      // the machine's one engine scene: no other test file's engines beside ours
      eng = await Engines.up([]);
      const missing = (await missingPackages()).filter((p) =>
        ['podman', 'runc', 'docker.io', 'busybox-static'].includes(p),
      );
      if (missing.length > 0) {
        dockerSkip = podmanSkip = `not installed: ${missing.join(' ')} (.ci/run installs them)`;
        return;
      }
      // up() made a rootfs in eng.tmp too, for no engine here: ours goes beside it
      const tar = await makeRootfs(join(eng.tmp, 'net')).tar;
      const s = Date.now();
      await Promise.all([
        docker(tar, eng.tmp).catch((e: Error) => (dockerSkip = `docker: ${e.message}`)),
        podman(tar, eng.tmp).catch((e: Error) => (podmanSkip = `podman: ${e.message}`)),
      ]);
      // the states the scene leads to, before anything compares them
      const up = boxes.filter((b) => (b.engine === 'docker' ? !dockerSkip : !podmanSkip));
      await until(async () => {
        const ok =
          up.every((b) => settled(b.pid)) &&
          settled(hostPid, (l) => up.some((b) => b.bridge === l.ifname || b.bridge === l.master));
        return ok ? true : undefined;
      }, 'the containers’ links and the host’s veths up, their addresses settled');
      console.log(
        `# engines up in ${Date.now() - s} ms (podman network backend: ${podmanBackend || '?'})` +
          `${dockerSkip ? `; ${dockerSkip}` : ''}${podmanSkip ? `; ${podmanSkip}` : ''}`,
      );
    },
    { timeout: 600_000 },
  );

  after(
    async () => {
      const s = Date.now();
      const errors: string[] = [];
      while (cleanups.length > 0) {
        const c = cleanups.pop()!;
        try {
          await c.fn();
        } catch (e) {
          errors.push(`${c.what}: ${(e as Error).message}`);
        }
      }
      errors.push(...((await eng?.down()) ?? []));
      console.log(`# engines down in ${Date.now() - s} ms; whole file ${Date.now() - t0} ms`);
      assert.deepEqual(errors, [], 'every container, network, image and daemon made here removed');
      // the containers' processes and the networks' bridges are gone with them
      for (const b of boxes) assert.ok(!existsSync(`/proc/${b.pid}/ns/net`), `${b.name} stopped`);
      for (const br of madeBridges)
        assert.ok(!existsSync(`/sys/class/net/${br}`), `bridge ${br} removed`);
    },
    { timeout: 300_000 },
  );

  test('lsnetns -J lists every interface of each container and of the host as ip does', (t) => {
    const all = [...(need(t, 'docker') ?? []), ...(need(t, 'podman') ?? [])];
    if (all.length === 0) return;
    const places: [string, number | undefined][] = [
      [key('/proc/self/ns/net'), hostPid],
      ...all.map((b) => [key(`/proc/${b.pid}/ns/net`), b.pid] as [string, number]),
    ];
    // the host's links are everyone's: a scan is compared when ip said the same before and after it
    for (let attempt = 1; ; attempt++) {
      const before = places.map(([, pid]) => ipRows(ipState(pid)));
      const json = runBin('lsnetns', ['-J']);
      const after = places.map(([, pid]) => ipRows(ipState(pid)));
      assert.equal(json.status, 0, json.stderr);
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        assert.ok(attempt < 20, 'the host’s links changed during 20 scans in a row');
        continue;
      }
      const m = JSON.parse(json.stdout) as Model;
      for (const [i, [k]] of places.entries()) {
        const ns = m.namespaces.find((n) => n.key === k);
        assert.ok(ns?.interfaces, `${k} and its interfaces`);
        assert.deepEqual(modelRows(ns.interfaces), before[i], `interfaces of ${k}`);
      }
      t.diagnostic(`compared on attempt ${attempt}`);
      return;
    }
  });

  test('each container’s eth0 is the peer of the host veth on its network’s bridge, and the tree names both ends', (t) => {
    const all = [...(need(t, 'docker') ?? []), ...(need(t, 'podman') ?? [])];
    if (all.length === 0) return;
    const hostKey = key('/proc/self/ns/net');
    const host = ipJson<IpLink[]>(hostPid, 'link', 'show');
    const bridges = ipJson<IpLink[]>(hostPid, 'link', 'show', 'type', 'bridge').map(
      (l) => l.ifname,
    );
    const nsids = new Map([...hostNsids('/run/docker/netns'), ...hostNsids('/run/netns')]);
    const json = runBin('lsnetns', ['-J']);
    assert.equal(json.status, 0, json.stderr);
    const m = JSON.parse(json.stdout) as Model;
    const ifsOf = (k: string) => m.namespaces.find((n) => n.key === k)?.interfaces ?? [];
    const tree = runBin('lsnetns', []);
    assert.equal(tree.status, 0, tree.stderr);
    const lines = treeLines(tree.stdout);
    const hostIno = hostKey.slice(4);
    for (const b of all) {
      const cKey = key(`/proc/${b.pid}/ns/net`);
      const cIno = cKey.slice(4);
      // the engine's sandbox is the container's namespace
      assert.equal(key(b.sandbox), cKey, `${b.name}: ${b.sandbox}`);
      // the kernel's wiring, as ip has it on both sides
      const eth0 = ipJson<IpLink[]>(b.pid, 'link', 'show').find((l) => l.ifname === 'eth0')!;
      assert.equal(kindOf(eth0), 'veth', `${b.name}: eth0`);
      const veth = host.find((l) => l.ifindex === eth0.link_index)!;
      assert.ok(veth, `${b.name}: a host link of index ${eth0.link_index}`);
      assert.equal(kindOf(veth), 'veth');
      assert.equal(veth.link_index, eth0.ifindex, `${veth.ifname} points back at eth0`);
      assert.equal(veth.master, b.bridge, `${veth.ifname}'s master`);
      assert.ok(bridges.includes(b.bridge), `${b.bridge} is a bridge`);
      const sandboxName = b.sandbox.split('/').pop()!;
      assert.equal(veth.link_netnsid, nsids.get(sandboxName), `${veth.ifname} is in ${b.sandbox}`);
      // lsnetns: the same pair, each end naming the other's namespace, the veth under the bridge
      const cEth0 = ifsOf(cKey).find((i) => i.name === 'eth0')!;
      const hVeth = ifsOf(hostKey).find((i) => i.index === veth.ifindex)!;
      const hBridge = ifsOf(hostKey).find((i) => i.name === b.bridge)!;
      assert.deepEqual(cEth0.peer, { index: veth.ifindex, ns: hostKey }, `${b.name}: eth0's peer`);
      assert.deepEqual(
        [hVeth.name, hVeth.master, hVeth.peer],
        [veth.ifname, hBridge.index, { index: eth0.ifindex, ns: cKey }],
        `${veth.ifname}`,
      );
      // Docker's sandbox is named like ip netns' (the bind mount under /run/docker/netns)
      const ns = m.namespaces.find((n) => n.key === cKey)!;
      if (b.engine === 'docker')
        assert.ok(
          ns.mounts.some((x) => x.path === `/run/docker/netns/${sandboxName}`),
          `${b.name}: mounts ${JSON.stringify(ns.mounts)}`,
        );
      // the tree: the container's namespace names it and its sandbox; its eth0 names the host veth
      const engine = `container "${b.name}" \\(${b.engine}\\)`;
      const head = lines.findIndex((l) => l.line.startsWith(`net:[${cIno}] `));
      assert.match(lines[head]!.line, new RegExp(`netns "${reEscape(sandboxName)}" ${engine}$`));
      assert.ok(head >= 0, `net:[${cIno}] in the tree`);
      const own = lines.slice(head + 1).findIndex((l) => l.depth <= lines[head]!.depth);
      const children = lines.slice(head + 1, own < 0 ? undefined : head + 1 + own);
      assert.match(
        children.find((l) => l.line.includes('── eth0 '))?.line ?? '',
        new RegExp(`── eth0 veth UP .*<-> ${reEscape(veth.ifname)} in net:\\[${hostIno}\\] `),
      );
      // the host's veth names the container at its other end, under its bridge
      const at = lines.findIndex(
        (l) => l.line.includes(`── ${veth.ifname} veth UP `) && l.line.includes(`net:[${cIno}]`),
      );
      assert.ok(at >= 0, `${veth.ifname} in the tree`);
      assert.match(lines[at]!.line, new RegExp(`<-> eth0 in net:\\[${cIno}\\] .*${engine}$`));
      assert.match(parentOf(lines, at)!, new RegExp(`── ${reEscape(b.bridge)} bridge `));
    }
  });

  test('graphns --net --dot draws each container’s eth0 and its host veth as one line from the bridge', (t) => {
    const all = [...(need(t, 'docker') ?? []), ...(need(t, 'podman') ?? [])];
    if (all.length === 0) return;
    const hostNode = (i: number) => `if-net-${statSync('/proc/self/ns/net').ino}-${i}`;
    const host = ipJson<IpLink[]>(hostPid, 'link', 'show');
    const dot = runBin('graphns', ['--net', '--dot']);
    assert.equal(dot.status, 0, dot.stderr);
    for (const b of all) {
      const eth0 = ipJson<IpLink[]>(b.pid, 'link', 'show').find((l) => l.ifname === 'eth0')!;
      const c = `if-net-${statSync(`/proc/${b.pid}/ns/net`).ino}-${eth0.ifindex}`;
      const v = hostNode(eth0.link_index!);
      const br = host.find((l) => l.ifname === b.bridge)!;
      // the pair is one line, from the bridge the host's end is a port of, named by the pair
      const line = `"${hostNode(br.ifindex)}" -> "${c}" [id="e__${v}__${c}"`;
      assert.equal(dot.stdout.split(line).length - 1, 1, `${b.name}: ${line}`);
      assert.equal(dot.stdout.split(`e__${c}__${v}`).length, 1, 'once');
      // and the host's end is named in eth0's row
      const veth = host.find((l) => l.ifindex === eth0.link_index)!;
      const row = dot.stdout.split('\n').find((l) => l.startsWith(`    "${c}" [`))!;
      assert.ok(row.includes(`peer <B>${veth.ifname}</B> on ${b.bridge}`), row);
      // the container's box names it
      const box = dot.stdout.split(
        `subgraph "cluster_net-${statSync(`/proc/${b.pid}/ns/net`).ino}"`,
      )[1];
      assert.ok(box?.split('\n  }')[0]!.includes(b.name), `${b.name} in its box`);
    }
  });
});
