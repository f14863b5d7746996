/**
 * Network namespaces that race the scan, and the nsids a scan leaves.
 *
 * (a) Hundreds of network namespaces (`ip netns add`, and processes of
 * `unshare -n`), many wired by veths, some to a bridge, are deleted
 * (`ip netns del`, processes killed) and new ones made, some living only a
 * few steps, while `lsnetns -J` and `graphns --net --dot` run again and
 * again. Every run exits 0 (the commands' code with warnings too: app/cli.ts
 * EXIT.ok; what could not be read is a warning on stderr), prints a valid
 * model (parseModel) or a whole DOT graph, and never a stack trace; what it
 * reports of the namespaces the churn never touches matches ip in every
 * run, what it reports of a vanishing one is only what that one had, and
 * after the churn every namespace still there matches ip (links, kinds,
 * states, MACs, MTUs, masters, addresses, each veth's peer in the
 * namespace the scene put it in). Before the churn, 120 namespaces paired
 * by veths of the same indexes (2 to 2) cost the wiring a few RTM_GETNSID
 * questions each (counted with strace), not one per candidate namespace.
 *
 * (b) The nsids. `ip netns list-id` from every scene namespace and from
 * the host (ip's RTM_GETNSID dump, which assigns none; the scene's
 * namespaces named in a private mount namespace so that ip names even
 * those held only by a process) is the same before and after lsnetns and
 * graphns --net scan: namespaces on a bridge, a pair joined only by a veth,
 * namespaces joined to nothing, a veth to the host. The kernel assigned
 * those ids itself when it announced each link, and RTM_GETNSID, which
 * graphns asks, only reads them. A link dump does assign one where the
 * kernel never announced a link as it now is (main/net/socket.ts says
 * when): those cases are built twice, and the scan assigns exactly the ids
 * `ip link show` assigns in the twin, no other.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModel, type Model } from '../../main/model';
import { bin, runBin } from '../helpers/bins';
import { inNetns, ipRows, modelRows, type IpAddr, type IpLink, type IpState } from '../helpers/net';
import { HANG_MS, needRoot, unmetNeed } from '../helpers/scene';

const tag = randomBytes(2).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'graphns-net-race-'));
const kids: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sh = (argv: string[], input?: string) =>
  execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: HANG_MS,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });

/** Where a namespace is: its /run/netns name or the pid holding it. */
type Place = { name: string } | { pid: number };
const pathOf = (p: Place) => ('name' in p ? `/run/netns/${p.name}` : `/proc/${p.pid}/ns/net`);
const keyOf = (p: Place) => `net:${statSync(pathOf(p)).ino}`;
/** ip in that namespace. */
const ipIn = (p: Place) =>
  'name' in p ? ['ip', '-n', p.name] : ['nsenter', '-t', String(p.pid), '-n', 'ip'];

const ipState = (p: Place): IpState => ({
  links: JSON.parse(sh([...ipIn(p), '-j', '-d', 'link', 'show'])) as IpLink[],
  addrs: JSON.parse(sh([...ipIn(p), '-j', 'addr', 'show'])) as IpAddr[],
});

/** Every link but lo UP, no address tentative, each with its IPv6 link-local. */
function settled(p: Place): boolean {
  const s = ipState(p);
  return s.links
    .filter((l) => l.link_type !== 'loopback')
    .every((l) => {
      const a = s.addrs.find((x) => x.ifindex === l.ifindex)?.addr_info ?? [];
      return (
        l.operstate === 'UP' &&
        a.every((x) => !x.tentative) &&
        a.some((x) => x.local.startsWith('fe80:'))
      );
    });
}

async function until(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + HANG_MS;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`hung waiting for ${what}`);
    await sleep(50);
  }
}

/** A veth pair the scene made: [namespace, interface name] at each end. */
type Pair = [[Place, string], [Place, string]];

/** ip's links of each place, read once (for places that do not change while it is used). */
function linksOnce(): (p: Place) => IpLink[] {
  const seen = new Map<string, IpLink[]>();
  return (p) => {
    const k = pathOf(p);
    if (!seen.has(k)) seen.set(k, ipState(p).links);
    return seen.get(k)!;
  };
}

/**
 * Whether the model has each pair as the kernel has it: each end's peer is
 * the other end's index (from ip) in the other end's namespace (its key),
 * found exactly (not inferred).
 */
function checkPairs(
  m: Model,
  pairs: readonly Pair[],
  links: (p: Place) => IpLink[],
  what: string,
): void {
  const ifsOf = (k: string) => m.namespaces.find((n) => n.key === k)?.interfaces ?? [];
  for (const [[pa, a], [pb, b]] of pairs) {
    const [ka, kb] = [keyOf(pa), keyOf(pb)];
    const ia = links(pa).find((l) => l.ifname === a)!;
    const ib = links(pb).find((l) => l.ifname === b)!;
    // the kernel's word: each end's link is the other's index
    assert.deepEqual([ia.link_index, ib.link_index], [ib.ifindex, ia.ifindex], `${a}/${b} by ip`);
    const ma = ifsOf(ka).find((i) => i.name === a);
    const mb = ifsOf(kb).find((i) => i.name === b);
    assert.deepEqual(ma?.peer, { index: ib.ifindex, ns: kb }, `${what}: ${a} in ${ka}`);
    assert.deepEqual(mb?.peer, { index: ia.ifindex, ns: ka }, `${what}: ${b} in ${kb}`);
  }
}

/**
 * The DOT lines that draw the veth pair of nodes `x` and `y`: an edge
 * between the two, or, where graphns draws a bridge's port as its line,
 * the edge from the bridge whose id names the pair (main/emit/net-dot.ts).
 */
function pairLines(dot: string, x: string, y: string): string[] {
  return dot
    .split('\n')
    .filter(
      (l) =>
        l.includes(`"${x}" -> "${y}"`) ||
        l.includes(`"${y}" -> "${x}"`) ||
        l.includes(`id="e__${x}__${y}"`) ||
        l.includes(`id="e__${y}__${x}"`),
    );
}

/** Every stderr line a warning (or the count of those left out), never a stack trace. */
function onlyWarnings(cmd: string, stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean))
    assert.match(line, new RegExp(`^${cmd}: (warning: |\\.\\.\\. and \\d+ more warnings)`), line);
  assert.doesNotMatch(stderr, /^\s+at /m, 'a stack trace');
}

/** Many ip commands in one ip process (`ip -batch`), in namespace `p` (default: ours). */
const ipBatch = (lines: string[], p?: Place) => {
  if (lines.length > 0) sh([...(p ? ipIn(p) : ['ip']), '-batch', '-'], lines.join('\n') + '\n');
};

/** The pid of a process we spawned, for ip and nsenter. */
const P = (pid: number): Place => ({ pid });
const N = (name: string): { name: string } => ({ name });

after(() => {
  for (const k of kids) k.kill('SIGKILL');
  // every namespace this file made, by its prefix (one may be going as we list them)
  for (const n of sh(['ip', 'netns', 'list']).split('\n')) {
    const name = n.split(' ')[0]!;
    if (name.startsWith(`gr${tag}`) || name.startsWith(`gi${tag}`))
      try {
        sh(['ip', 'netns', 'del', name]);
      } catch {
        /* gone already */
      }
  }
  try {
    sh(['ip', 'link', 'del', `gi${tag}hv`]);
  } catch {
    /* not made, or gone with its peer */
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('network namespaces that vanish during the scan', { skip: needRoot }, () => {
  const pre = `gr${tag}`;
  const stable: Place[] = [];
  const stablePairs: Pair[] = [];
  let stableRows = new Map<string, unknown>();
  const churnHub = N(`${pre}ch`);
  const churnProcs: number[] = [];
  /** The churn's bind-mounted namespaces (made before it and during it), by name. */
  const churnNames: string[] = [];
  /** The interface names a churn namespace may have, by its bind-mount name; undefined: not ours. */
  const allowed = (name: string): RegExp | undefined =>
    name === churnHub.name
      ? /^(lo|br0|[hqnf]\d+)$/
      : new RegExp(`^${pre}[cnf]\\d+$`).test(name)
        ? /^(lo|v0|eth0)$/
        : undefined;
  /** The veth pairs of the churn: they stay while both ends do. */
  const churnPairs: Pair[] = [];
  const CHURN = 240;
  const PROCS = 30;
  const NEW = 40;
  const hubPorts: string[] = [];

  before(
    async () => {
      // the stable part: a bridge with four ports to bind-mounted namespaces and one to a
      // process's, a pair joined only by a veth, two namespaces with nothing; all up, addressed
      const s = (i: number) => N(`${pre}s${i}`);
      const sp = await inNetns(kids);
      for (let i = 0; i <= 8; i++) stable.push(s(i));
      stable.push(P(sp));
      ipBatch(stable.flatMap((p) => ('name' in p ? [`netns add ${p.name}`] : [])));
      const hub = s(0);
      sh([...ipIn(hub), 'link', 'add', 'br0', 'type', 'bridge']);
      sh([...ipIn(hub), 'addr', 'add', '10.91.0.1/24', 'dev', 'br0']);
      sh([...ipIn(hub), 'link', 'set', 'br0', 'up']);
      for (const [i, peer] of [s(1), s(2), s(3), s(4), P(sp)].entries()) {
        const port = `p${i + 1}`;
        const target = 'name' in peer ? peer.name : String(peer.pid);
        sh([...ipIn(hub), 'link', 'add', port, 'type', 'veth', 'peer', 'eth0', 'netns', target]);
        sh([...ipIn(hub), 'link', 'set', port, 'master', 'br0', 'up']);
        sh([...ipIn(peer), 'addr', 'add', `10.91.0.${11 + i}/24`, 'dev', 'eth0']);
        sh([...ipIn(peer), 'addr', 'add', `fd91::${11 + i}/64`, 'dev', 'eth0']);
        sh([...ipIn(peer), 'link', 'set', 'eth0', 'up']);
        stablePairs.push([
          [hub, port],
          [peer, 'eth0'],
        ]);
      }
      sh([...ipIn(s(5)), 'link', 'add', 'v0', 'type', 'veth', 'peer', 'v0', 'netns', s(6).name]);
      for (const p of [s(5), s(6)]) sh([...ipIn(p), 'link', 'set', 'v0', 'up']);
      stablePairs.push([
        [s(5), 'v0'],
        [s(6), 'v0'],
      ]);
      await until(() => stable.every(settled), 'the stable namespaces settled');
      stableRows = new Map(stable.map((p) => [keyOf(p), ipRows(ipState(p))]));

      // the churn: 240 bind-mounted namespaces (120 in veth pairs, 60 on a bridge in a churn hub,
      // 60 alone) and 30 processes' (each on the churn hub's bridge); links left down
      const c = (i: number) => `${pre}c${i}`;
      ipBatch([
        `netns add ${churnHub.name}`,
        ...Array.from({ length: CHURN }, (_, i) => `netns add ${c(i)}`),
      ]);
      sh([...ipIn(churnHub), 'link', 'add', 'br0', 'type', 'bridge']);
      for (let i = 0; i < CHURN; i++) churnNames.push(c(i));
      const lines: string[] = [];
      for (let i = 0; i < 120; i += 2) {
        lines.push(`link add v0 netns ${c(i)} type veth peer name v0 netns ${c(i + 1)}`);
        churnPairs.push([
          [N(c(i)), 'v0'],
          [N(c(i + 1)), 'v0'],
        ]);
      }
      for (let i = 120; i < 180; i++) {
        lines.push(`link add h${i} netns ${churnHub.name} type veth peer name eth0 netns ${c(i)}`);
        hubPorts.push(`h${i}`);
        churnPairs.push([
          [churnHub, `h${i}`],
          [N(c(i)), 'eth0'],
        ]);
      }
      for (let i = 0; i < PROCS; i++) {
        const pid = await inNetns(kids);
        churnProcs.push(pid);
        lines.push(`link add q${i} netns ${churnHub.name} type veth peer name eth0 netns ${pid}`);
        hubPorts.push(`q${i}`);
        churnPairs.push([
          [churnHub, `q${i}`],
          [P(pid), 'eth0'],
        ]);
      }
      ipBatch(lines);
      ipBatch(
        hubPorts.map((n) => `link set ${n} master br0`),
        churnHub,
      );
      // the namespaces the churn makes: each on the churn hub's bridge
      for (let i = 0; i < NEW; i++) {
        churnNames.push(`${pre}n${i}`);
        churnPairs.push([
          [churnHub, `n${i}`],
          [N(`${pre}n${i}`), 'eth0'],
        ]);
      }
    },
    { timeout: 600_000 },
  );

  // the scene goes before the nsids' (they scan the whole host: 300 namespaces fewer to read)
  after(() => {
    for (const pid of [...stable, ...churnProcs.map(P)].flatMap((p) => ('pid' in p ? [p.pid] : [])))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* killed by the churn */
      }
    for (const n of sh(['ip', 'netns', 'list']).split('\n')) {
      const name = n.split(' ')[0]!;
      if (name.startsWith(pre))
        try {
          sh(['ip', 'netns', 'del', name]);
        } catch {
          /* gone already */
        }
    }
  });

  test('120 namespaces paired by veths of the same indexes cost the wiring a question or two each', (t) => {
    // every pair's ends are index 2 pointing at index 2: each end has every paired namespace
    // as a candidate, and only the kernel's nsid says which is its peer; asked in turn, that
    // was a question per candidate (14 000 here, 27 s at 1000 pairs)
    if (spawnSync('strace', ['-V']).status !== 0)
      return t.skip(unmetNeed('strace is missing (apt-get install strace; .ci/run does)'));
    const out = join(tmp, 'strace.out');
    const run = spawnSync(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=sendto,sendmsg',
        '-e',
        'signal=none',
        '-o',
        out,
        process.execPath,
        bin('lsnetns'),
        '-J',
      ],
      { encoding: 'utf8', maxBuffer: 256 << 20, timeout: HANG_MS },
    );
    assert.equal(run.status, 0, run.stderr);
    const m = parseModel(run.stdout);
    // RTM_GETNSID is 90 (0x5a); strace names it only for a socket of its own network namespace
    const questions = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => /nlmsg_type=(RTM_GETNSID|0x5a)\b/.test(l)).length;
    const ends = m.namespaces
      .flatMap((n) => n.interfaces ?? [])
      .filter((i) => i.peer?.ns !== undefined).length;
    t.diagnostic(
      `${questions} RTM_GETNSID questions for ${ends} veth ends wired to another namespace`,
    );
    assert.ok(ends >= 2 * 120, `the pairs are wired (${ends} ends)`);
    assert.ok(questions <= 3 * ends, `${questions} questions for ${ends} ends`);
  });

  test('lsnetns -J and graphns --net --dot while namespaces come and go: exit 0, whole output, the untouched ones as ip has them', async (t) => {
    // what goes: two in three of the churn namespaces and of the processes; what comes: 40 new
    // namespaces on the churn hub's bridge, half of them deleted again; in random order, spread
    // out. Beside it, until the runs are done, namespaces that live for a few steps each.
    const c = (i: number) => `${pre}c${i}`;
    const ops: string[] = [];
    const gone = new Set<string>();
    const killed = new Set<number>();
    for (let i = 0; i < CHURN; i++)
      if (i % 3 !== 0) {
        ops.push(`ip netns del ${c(i)}`);
        gone.add(c(i));
      }
    for (const [i, pid] of churnProcs.entries())
      if (i % 3 !== 0) {
        ops.push(`kill -9 ${pid}`);
        killed.add(pid);
      }
    const hub = churnHub.name;
    for (let i = 0; i < NEW; i++) {
      const n = `${pre}n${i}`;
      ops.push(
        `ip netns add ${n} && ip -n ${hub} link add n${i} type veth peer name eth0 netns ${n} && ip -n ${hub} link set n${i} master br0`,
      );
    }
    for (let i = ops.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    }
    // a new namespace deleted again some time after it was made
    for (let i = 0; i < NEW; i += 2) {
      const n = `${pre}n${i}`;
      const at = ops.findIndex((o) => o.startsWith(`ip netns add ${n} `));
      ops.splice(
        Math.min(ops.length, at + 1 + Math.floor(Math.random() * 40)),
        0,
        `ip netns del ${n}`,
      );
      gone.add(n);
    }
    const done = join(tmp, 'churn.done');
    const stop = join(tmp, 'flash.stop');
    const log = join(tmp, 'churn.log');
    writeFileSync(
      join(tmp, 'churn.sh'),
      [
        'set -u',
        ...ops.flatMap((o, i) => [
          `{ ${o}; } || echo "FAILED: ${o}" >&2`,
          ...(i % 3 === 2 ? ['sleep 0.02'] : []),
        ]),
        `touch ${done}`,
      ].join('\n'),
    );
    // flash: a namespace on the churn hub's bridge made at each step, deleted four steps later
    writeFileSync(
      join(tmp, 'flash.sh'),
      `set -u
k=0
while [ ! -e ${stop} ]; do
  n=${pre}f$k
  { ip netns add $n && ip -n ${hub} link add f$k type veth peer name eth0 netns $n &&
    ip -n ${hub} link set f$k master br0; } || echo "FAILED: flash $k" >&2
  if [ $k -ge 4 ]; then ip netns del ${pre}f$((k - 4)) || echo "FAILED: flash del $((k - 4))" >&2; fi
  k=$((k + 1))
  sleep 0.05
done
for i in 1 2 3 4; do [ $k -ge $i ] && ip netns del ${pre}f$((k - i)); done
echo "flash: $k"
`,
    );
    const fd = openSync(log, 'w');
    const churn = spawn('bash', [join(tmp, 'churn.sh')], { stdio: ['ignore', fd, fd] });
    const flash = spawn('bash', [join(tmp, 'flash.sh')], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    kids.push(churn, flash);
    const exited = (k: ChildProcess) =>
      new Promise((r) => (k.exitCode !== null ? r(null) : k.once('exit', r)));
    const stableLinks = linksOnce();
    const runs = { lsnetns: 0, graphns: 0, doomed: 0 };
    /** The warnings the runs gave, namespace numbers left out, and how often. */
    const warnings = new Map<string, number>();
    const count = (stderr: string) => {
      for (const w of stderr.split('\n').filter(Boolean)) {
        const k = w
          .replace(/\d{6,}/g, 'N')
          .replace(/pid \d+/g, 'pid N')
          .replace(/f\d+/g, 'fK');
        warnings.set(k, (warnings.get(k) ?? 0) + 1);
      }
    };
    const t1 = Date.now();
    try {
      // run until the churn is over, at least eight times each
      while (!existsSync(done) || runs.lsnetns < 8) {
        const json = runBin('lsnetns', ['-J']);
        runs.lsnetns++;
        assert.equal(json.status, 0, json.stderr);
        onlyWarnings('lsnetns', json.stderr);
        count(json.stderr);
        const m = parseModel(json.stdout);
        // the untouched namespaces, exactly as ip has them, wired to the right namespaces
        for (const [k, rows] of stableRows) {
          const ns = m.namespaces.find((n) => n.key === k);
          assert.ok(ns?.interfaces, `${k} and its interfaces in run ${runs.lsnetns}`);
          assert.deepEqual(modelRows(ns.interfaces), rows, `${k} in run ${runs.lsnetns}`);
        }
        checkPairs(m, stablePairs, stableLinks, `run ${runs.lsnetns}`);
        // a churn namespace, even one reported as it vanished, has only interfaces it had
        for (const ns of m.namespaces)
          for (const mt of ns.mounts) {
            const name = /^\/run\/netns\/(.+)$/.exec(mt.path)?.[1];
            const names = name === undefined ? undefined : allowed(name);
            if (!names || !ns.interfaces) continue;
            if (gone.has(name!) || name!.startsWith(`${pre}f`)) runs.doomed++;
            for (const i of ns.interfaces)
              assert.match(i.name, names, `${name} in run ${runs.lsnetns}`);
          }
        const dot = runBin('graphns', ['--net', '--dot']);
        runs.graphns++;
        assert.equal(dot.status, 0, dot.stderr);
        onlyWarnings('graphns', dot.stderr);
        count(dot.stderr);
        assert.ok(dot.stdout.startsWith('digraph netns {\n') && dot.stdout.endsWith('\n}\n'));
        for (const [[pa, a], [pb, b]] of stablePairs) {
          const node = (p: Place, n: string) =>
            `if-${keyOf(p).replace(':', '-')}-${stableLinks(p).find((l) => l.ifname === n)!.ifindex}`;
          const lines = pairLines(dot.stdout, node(pa, a), node(pb, b));
          assert.equal(lines.length, 1, `${a} -- ${b} drawn once in run ${runs.graphns}`);
        }
      }
    } finally {
      writeFileSync(stop, '');
    }
    const churnMs = Date.now() - t1;
    await Promise.all([exited(churn), exited(flash)]);
    assert.deepEqual([churn.exitCode, flash.exitCode], [0, 0]);
    const said = readFileSync(log, 'utf8');
    assert.doesNotMatch(said, /FAILED/, 'every churn step done');
    t.diagnostic(
      `${runs.lsnetns} lsnetns and ${runs.graphns} graphns runs during ${churnMs} ms of churn ` +
        `(${ops.length} steps, ${/flash: (\d+)/.exec(said)?.[1]} flash namespaces); ` +
        `${runs.doomed} reports of a namespace the churn deletes; warnings: ` +
        [...warnings].map(([w, n]) => `${n}x ${w}`).join(' | '),
    );

    // after the churn: every scene namespace still there as ip has it, wired as made
    const left = [
      ...stable,
      churnHub,
      ...churnNames.filter((n) => !gone.has(n)).map(N),
      ...churnProcs.filter((p) => !killed.has(p)).map(P),
    ];
    const alive = (p: Place) => left.some((x) => JSON.stringify(x) === JSON.stringify(p));
    const pairs = churnPairs.filter(([[pa], [pb]]) => alive(pa) && alive(pb));
    // the kernel tears a deleted namespace's links down after it is gone: wait for that state
    const hubWants = new Set([
      'lo',
      'br0',
      ...pairs.filter(([[pa]]) => pa === churnHub).map(([[, a]]) => a),
    ]);
    await until(() => {
      const have = ipState(churnHub).links.map((l) => l.ifname);
      return have.length === hubWants.size && have.every((n) => hubWants.has(n));
    }, 'the churn hub left with the ports of the namespaces still there');
    for (let attempt = 1; ; attempt++) {
      const before = left.map((p) => ipRows(ipState(p)));
      const json = runBin('lsnetns', ['-J']);
      const after = left.map((p) => ipRows(ipState(p)));
      assert.equal(json.status, 0, json.stderr);
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        assert.ok(attempt < 20, 'the scene changed during 20 scans in a row');
        continue;
      }
      const m = parseModel(json.stdout);
      for (const [i, p] of left.entries()) {
        const ns = m.namespaces.find((n) => n.key === keyOf(p));
        assert.ok(ns?.interfaces, `${pathOf(p)} after the churn`);
        assert.deepEqual(modelRows(ns.interfaces), before[i], `${pathOf(p)} after the churn`);
      }
      checkPairs(m, [...stablePairs, ...pairs], linksOnce(), 'after the churn');
      // and no deleted one is named any more
      for (const ns of m.namespaces)
        for (const mt of ns.mounts) {
          const name = /^\/run\/netns\/(.+)$/.exec(mt.path)?.[1];
          assert.ok(!name || !(gone.has(name) || name.startsWith(`${pre}f`)), `${name} listed`);
        }
      return;
    }
  });
});

/**
 * `ip netns list-id` from the host and from inside each of `roles`
 * (name -> the namespace's path), each id as `<nsid> <role>`: in a
 * private mount namespace of its own (gone when it ends; the host's mounts
 * are untouched), /run/netns is a tmpfs holding each role's namespace
 * bind-mounted under the role's name, so that ip names the namespaces
 * held only by a process too. The host's ids for namespaces outside
 * `roles` (other work's) are left out; a role's are all kept (`?` for
 * one outside them).
 */
function nsids(roles: Record<string, string>): Record<string, string[]> {
  const stage = mkdtempSync(join(tmp, 'stage-'));
  const script = `set -e
stage=$1; shift
mount -t tmpfs graphns-nsids "$stage"
roles=""
while [ $# -gt 0 ]; do
  touch "$stage/$1"; mount --bind "$2" "$stage/$1"
  [ "$1" = host ] || roles="$roles $1"
  shift 2
done
mount --rbind "$stage" /run/netns
echo "== host"; ip -j netns list-id; echo
for r in $roles; do echo "== $r"; ip -n "$r" -j netns list-id; echo; done
`;
  const out = sh([
    'unshare',
    '-m',
    '--propagation',
    'private',
    'bash',
    '-c',
    script,
    'nsids',
    stage,
    'host',
    '/proc/self/ns/net',
    ...Object.entries(roles).flat(),
  ]);
  rmSync(stage, { recursive: true, force: true });
  const res: Record<string, string[]> = {};
  for (const part of out.split('== ').filter(Boolean)) {
    const nl = part.indexOf('\n');
    const role = part.slice(0, nl);
    const ids = JSON.parse(part.slice(nl + 1)) as { nsid: number; name?: string }[];
    res[role] = ids
      .filter((i) => role !== 'host' || (i.name !== undefined && i.name !== 'host'))
      .map((i) => `${i.nsid} ${i.name ?? '?'}`)
      .sort();
  }
  return res;
}

/** What `after` has that `before` lacks, per role (roles with nothing new left out). */
function added(before: Record<string, string[]>, after: Record<string, string[]>) {
  const out: Record<string, string[]> = {};
  for (const [r, ids] of Object.entries(after)) {
    const n = ids.filter((i) => !(before[r] ?? []).includes(i));
    if (n.length > 0) out[r] = n;
  }
  return out;
}

describe('the nsids a scan leaves', { skip: needRoot }, () => {
  const pre = `gi${tag}`;
  /** Role -> the namespace's path, for nsids(). */
  const settledRoles: Record<string, string> = {};

  before(
    async () => {
      // namespaces as the engines and users leave them, every link announced as it is:
      // a bridge with ports to a bind-mounted namespace and a process's, a pair joined
      // only by a veth (a bind-mounted namespace and a process's), one of each joined to
      // nothing, and a veth from the host to a bind-mounted one; every end up
      const [l2, p2, u2] = [await inNetns(kids), await inNetns(kids), await inNetns(kids)];
      const bound = ['h', 'l1', 'l3', 'p1', 'u1'];
      ipBatch(bound.map((r) => `netns add ${pre}${r}`));
      for (const r of bound) settledRoles[r] = `/run/netns/${pre}${r}`;
      Object.assign(settledRoles, {
        l2: `/proc/${l2}/ns/net`,
        p2: `/proc/${p2}/ns/net`,
        u2: `/proc/${u2}/ns/net`,
      });
      const h = N(`${pre}h`);
      sh([...ipIn(h), 'link', 'add', 'br0', 'type', 'bridge']);
      sh([...ipIn(h), 'link', 'set', 'br0', 'up']);
      for (const [port, peer] of [
        ['p1', N(`${pre}l1`)],
        ['p2', P(l2)],
      ] as const) {
        const target = 'name' in peer ? peer.name : String(peer.pid);
        sh([...ipIn(h), 'link', 'add', port, 'type', 'veth', 'peer', 'eth0', 'netns', target]);
        sh([...ipIn(h), 'link', 'set', port, 'master', 'br0', 'up']);
        sh([...ipIn(peer), 'link', 'set', 'eth0', 'up']);
      }
      const p1 = N(`${pre}p1`);
      sh([...ipIn(p1), 'link', 'add', 'v0', 'type', 'veth', 'peer', 'v0', 'netns', String(p2)]);
      for (const p of [p1, P(p2)]) sh([...ipIn(p), 'link', 'set', 'v0', 'up']);
      const l3 = N(`${pre}l3`);
      sh(['ip', 'link', 'add', `${pre}hv`, 'type', 'veth', 'peer', 'eth0', 'netns', l3.name]);
      sh(['ip', 'link', 'set', `${pre}hv`, 'up']);
      sh([...ipIn(l3), 'link', 'set', 'eth0', 'up']);
      await until(
        () =>
          [h, N(`${pre}l1`), P(l2), p1, P(p2), l3].every(settled) &&
          ipState({ pid: process.pid }).links.some(
            (l) => l.ifname === `${pre}hv` && l.operstate === 'UP',
          ),
        'every end up',
      );
    },
    { timeout: 600_000 },
  );

  test('lsnetns and graphns --net leave every nsid as it was where the kernel announced each link', (t) => {
    const before = nsids(settledRoles);
    // the scene has ids to keep: each end's namespace knows its peer's, the host l3's
    assert.ok(before.h!.length >= 2 && before.l3!.length >= 1, JSON.stringify(before));
    assert.match(before.host!.join(), /\bl3\b/);
    assert.deepEqual(before.u1, []);
    for (const args of [['-J'], []])
      assert.equal(runBin('lsnetns', args).status, 0, `lsnetns ${args.join(' ')}`);
    for (const args of [
      ['--net', '--dot'],
      ['--net', '-J'],
    ])
      assert.equal(runBin('graphns', args).status, 0, `graphns ${args.join(' ')}`);
    assert.deepEqual(nsids(settledRoles), before);
    t.diagnostic(`ids kept: ${JSON.stringify(before)}`);
  });

  test('where the kernel never announced a link as it is, the scan assigns exactly the ids ip link show assigns', async (t) => {
    // three cases, built twice (s: scanned by graphns, i: read by ip link show):
    //  1. a1 makes a veth with its peer straight in b1, and nothing changes after: b1's end was
    //     announced before the pair was joined, so b1 has no id for a1
    //  2. a2 makes a veth into b2, and b2's end moves on to c2: nothing is announced in a2
    //  3. d3's macvlan on its veth moves to e3, then the veth (its lower device) to f3
    const roles = ['a1', 'b1', 'a2', 'b2', 'c2', 'd3', 'e3', 'f3'];
    const build = (twin: string) => {
      const n = (r: string) => `${pre}${twin}${r}`;
      ipBatch(roles.map((r) => `netns add ${n(r)}`));
      sh(['ip', '-n', n('a1'), 'link', 'add', 'v', 'type', 'veth', 'peer', 'p', 'netns', n('b1')]);
      sh(['ip', '-n', n('a2'), 'link', 'add', 'v', 'type', 'veth', 'peer', 'p', 'netns', n('b2')]);
      sh(['ip', '-n', n('b2'), 'link', 'set', 'p', 'netns', n('c2')]);
      sh(['ip', '-n', n('d3'), 'link', 'add', 'vd', 'type', 'veth', 'peer', 'vd2']);
      sh(['ip', '-n', n('d3'), 'link', 'add', 'mv', 'link', 'vd', 'type', 'macvlan']);
      sh(['ip', '-n', n('d3'), 'link', 'set', 'mv', 'netns', n('e3')]);
      sh(['ip', '-n', n('d3'), 'link', 'set', 'vd', 'netns', n('f3')]);
      return Object.fromEntries(roles.map((r) => [`${twin}${r}`, `/run/netns/${n(r)}`]));
    };
    const drop = (twin: string) => {
      for (const r of roles) sh(['ip', 'netns', 'del', `${pre}${twin}${r}`]);
    };
    const ofTwin = (ids: Record<string, string[]>, twin: string) =>
      Object.fromEntries(
        Object.entries(ids)
          .filter(([r]) => r.startsWith(twin))
          .map(([r, v]) => [r.slice(twin.length), v.map((i) => i.replace(` ${twin}`, ' '))]),
      );
    const want = { b1: ['a1'], a2: ['c2'], e3: ['f3'] };
    const namesOf = (ids: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(ids).map(([r, v]) => [r, v.map((i) => i.split(' ')[1])]));
    // another scan of the host (a test beside this one) may come first and assign them:
    // then the cases are built again
    for (let attempt = 1; ; attempt++) {
      const all = { ...settledRoles, ...build('s'), ...build('i') };
      const before = nsids(all);
      const missing = (twin: string) =>
        Object.entries(want).every(
          ([r, [other]]) => !before[`${twin}${r}`]!.some((i) => i.endsWith(` ${twin}${other}`)),
        );
      if (!missing('s') || !missing('i')) {
        drop('s');
        drop('i');
        assert.ok(attempt < 5, 'the ids were assigned before the scan, 5 times');
        continue;
      }
      // ip's own reader in twin i, then graphns's scan (which finds i's ids there already)
      for (const r of roles) sh(['ip', '-n', `${pre}i${r}`, 'link', 'show']);
      const afterIp = nsids(all);
      for (const args of [['-J'], []])
        assert.equal(runBin('lsnetns', args).status, 0, `lsnetns ${args.join(' ')}`);
      assert.equal(runBin('graphns', ['--net', '--dot']).status, 0);
      const afterScan = nsids(all);
      // what ip link show assigned in i, and only that
      const byIp = ofTwin(added(before, afterIp), 'i');
      assert.deepEqual(namesOf(byIp), want, 'ip link show');
      assert.deepEqual(ofTwin(added(before, afterIp), 's'), {}, 'ip link show in twin i only');
      // the scan: the same in s (the same numbers: the twins have the same histories), nothing
      // more in i, nothing anywhere else
      assert.deepEqual(ofTwin(added(afterIp, afterScan), 's'), byIp, 'lsnetns and graphns');
      assert.deepEqual(
        added(afterIp, afterScan),
        Object.fromEntries(
          Object.entries(byIp).map(([r, v]) => [`s${r}`, v.map((i) => i.replace(' ', ' s'))]),
        ),
      );
      // and nothing taken away
      for (const [r, ids] of Object.entries(before))
        assert.deepEqual(
          ids.filter((i) => !afterScan[r]!.includes(i)),
          [],
          r,
        );
      t.diagnostic(`assigned by the scan, as by ip link show: ${JSON.stringify(byIp)}`);
      return;
    }
  });
});
