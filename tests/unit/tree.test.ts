import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pidTree, userTree } from '../../main/emit/tree';
import { graphOf, type Model } from '../../main/model';
import {
  enginesModel,
  HOSTILE_NAMES,
  hostileModel,
  manyModel,
  namespaceOf,
  netnsModel,
  podmanModel,
  podModel,
} from './fixtures/dot-models';

const ns = namespaceOf;

const model: Model = {
  host: { hostname: 'h', kernel: 'k', time: 't', uid: 0, nsidSupported: false },
  namespaces: [
    ns({
      key: 'user:10',
      ownerUid: 0,
      ownerName: 'root',
      pids: [1],
      label: { pid: 1, name: 'systemd' },
    }),
    ns({
      key: 'user:11',
      parent: 'user:10',
      owner: 'user:10',
      ownerUid: 1000,
      ownerName: 'foo',
      pids: [50],
      label: { pid: 50, name: 'fire"fox\nx' },
    }),
    ns({ key: 'user:12', parent: 'user:10', owner: 'user:10', ownerUid: 54321, origin: 'hidden' }),
    ns({
      key: 'user:13',
      parent: 'user:12',
      owner: 'user:12',
      ownerUid: 54321,
      pids: [60],
      label: { pid: 60, name: 'bash' },
    }),
    ns({ key: 'pid:20', owner: 'user:10', pids: [1], label: { pid: 1, name: 'systemd' } }),
    ns({
      key: 'pid:21',
      parent: 'pid:20',
      owner: 'user:11',
      pids: [50],
      label: { pid: 50, name: 'fire"fox\nx' },
    }),
    ns({ key: 'net:30', owner: 'user:10', pids: [1], label: { pid: 1, name: 'systemd' } }),
    ns({ key: 'net:31', owner: 'user:11', origin: 'fd', fds: [{ pid: 1, fd: 7 }] }),
    ns({
      key: 'uts:32',
      owner: 'user:11',
      origin: 'bindmount',
      mounts: [{ path: '/run/x\ny', mntns: 'mnt:1' }],
    }),
  ],
  processes: [
    { pid: 1, ppid: 0, name: 'systemd', start: 1, ns: {} },
    { pid: 50, ppid: 1, name: 'fire"fox\nx', start: 2, ns: {} },
    { pid: 60, ppid: 1, name: 'bash', start: 3, ns: {} },
  ],
  containers: [],
  warnings: [],
};

test('lsuserns tree in the seed format, names escaped', () => {
  assert.equal(
    userTree(graphOf(model)),
    [
      'user:[10] process "systemd (1)" owner root (0)',
      ' ├── user:[11] process "fire\\"fox\\nx (50)" owner foo (1000)',
      ' └── user:[12] (hidden) owner 54321 (54321)',
      '     └── user:[13] process "bash (60)" owner 54321 (54321)',
      '',
    ].join('\n'),
  );
});

test('lsuserns -d lists owned namespaces first, then child user namespaces', () => {
  assert.equal(
    userTree(graphOf(model), { details: true }),
    [
      // (this model has no id maps: a snapshot before format 7 says so; idmaps.test.ts has maps)
      'user:[10] process "systemd (1)" owner root (0) maps not read',
      ' ├── pid:[20] process "systemd (1)"',
      ' ├── net:[30] process "systemd (1)"',
      ' ├── user:[11] process "fire\\"fox\\nx (50)" owner foo (1000) maps not read',
      ' │   ├── uts:[32] (bind mount /run/x\\ny)',
      ' │   ├── pid:[21] process "fire\\"fox\\nx (50)"',
      ' │   └── net:[31] (fd 7 of "systemd (1)")',
      ' └── user:[12] (hidden) owner 54321 (54321) maps unknown (no process inside)',
      '     └── user:[13] process "bash (60)" owner 54321 (54321) maps not read',
      '',
    ].join('\n'),
  );
});

test('lspidns tree names the owning user namespace', () => {
  assert.equal(
    pidTree(graphOf(model)),
    [
      'pid:[20] process "systemd (1)" owner user:[10] root (0)',
      ' └── pid:[21] process "fire\\"fox\\nx (50)" owner user:[11] foo (1000)',
      '',
    ].join('\n'),
  );
});

test('colour only when asked, by type', () => {
  assert.doesNotMatch(pidTree(graphOf(model)), /\x1b/);
  const c = pidTree(graphOf(model), { color: true });
  assert.match(c, /\x1b\[35mpid:\[20\]\x1b\[0m/);
  assert.match(c, /\x1b\[33muser:\[10\]\x1b\[0m/);
});

/*
 * Containers in the tree (issue 10). The lines are parsed back with a
 * reader written here from the format's rules (quoted strings with
 * backslash escapes, keywords), and what they say is checked against the
 * model itself: which containers' processes hold each namespace.
 */

/** Undo escapeDisplay: \n \r \t \\ \" \xHH (0x80..0x9f: C1 controls; above: undecodable bytes) \u{H}. */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-f]{2}|u\{[0-9a-f]+\}|.)/g, (_, e: string) => {
    if (e[0] === 'x') {
      const b = parseInt(e.slice(1), 16);
      return String.fromCharCode(b >= 0xa0 ? 0xdc00 + b : b);
    }
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    return ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? e;
  });
}

interface Token {
  str: boolean;
  text: string;
}

/** Quoted strings and bare words (a backslash escapes the next character, spaces too). */
function tokens(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ') {
      i += 1;
    } else if (ch === '"') {
      let j = i + 1;
      // an unquoted owner name may hold a lone quote: stop at the end of the line
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push({ str: true, text: unescape(line.slice(i + 1, j)) });
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ' ' && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push({ str: false, text: line.slice(i, j) });
      i = j;
    }
  }
  return out;
}

interface Said {
  key: string;
  also: boolean;
  /** Container names (and short ids) named, in order. */
  names: string[];
  pods: string[];
  more: number;
  netns: string[];
}

/** What one tree line says of a namespace's containers. */
function said(line: string): Said {
  const t = tokens(line.replace(/^[\s│├└─]+/, ''));
  const m = /^(\w+):\[(\d+)\]$/.exec(t[0]!.text)!;
  const out: Said = {
    key: `${m[1]}:${m[2]}`,
    also: false,
    names: [],
    pods: [],
    more: 0,
    netns: [],
  };
  let mode: 'none' | 'names' | 'netns' | 'pod' = 'none';
  let paren = false;
  // the holder: `process "NAME (PID)"` or a parenthesised one, skipped by the rules below
  for (const tok of t.slice(1)) {
    if (tok.str) {
      if (mode === 'names') out.names.push(tok.text);
      if (mode === 'netns') out.netns.push(tok.text);
      continue;
    }
    const w = tok.text;
    // inside the parentheses (engine, groups) no word is a keyword
    if (paren) {
      if (/(?<!\\)\),?$/.test(w)) paren = false;
      continue;
    }
    if (w.startsWith('(')) {
      paren = !/(?<!\\)\),?$/.test(w);
      mode = 'none';
      continue;
    }
    if (w === 'owner') break;
    if (w === 'also') out.also = true;
    else if (w === 'netns') mode = 'netns';
    else if (/^(containers?|sandbox(es)?)$/.test(w)) mode = 'names';
    else if (/^pods?$/.test(w)) mode = 'pod';
    else if (mode === 'pod' && !w.startsWith('(') && w !== ',') out.pods.push(unescape(w));
    else if (/^\d+$/.test(w)) out.more = Number(w);
  }
  return out;
}

test('every container namespace names its containers, parsed back exactly (hostile names too)', () => {
  for (const make of [podmanModel, podModel, enginesModel, hostileModel, () => manyModel(25)]) {
    const m = make();
    const g = graphOf(m);
    const text = userTree(g, { details: true });
    const lines = text.trimEnd().split('\n');
    // one line per namespace shown (user ones, and those of a user namespace in the
    // model), whatever the names hold
    const keys = new Set(m.namespaces.map((n) => n.key));
    const shown = m.namespaces.filter((n) => n.type === 'user' || (n.owner && keys.has(n.owner)));
    assert.equal(lines.length, shown.length, m.host.hostname);
    for (const line of lines) assert.match(line, /^[ │├└─]*[a-z]+:\[\d+\] /);
    for (const line of lines) {
      const s = said(line);
      const ns = m.namespaces.find((n) => n.key === s.key)!;
      // from the model alone: the containers of the processes (and threads) in it
      const holders = new Set([...ns.pids, ...ns.tasks.map((x) => x.pid)]);
      const cs = m.containers.filter((c) => c.pids.some((p) => holders.has(p)));
      const host = m.processes.some((p) => holders.has(p.pid) && p.container === undefined);
      const name = (c: (typeof cs)[number]) =>
        c.name ?? (c.id.length === 64 ? c.id.slice(0, 12) : c.id);
      assert.equal(s.also, host && cs.length > 0, line);
      if (cs.length === 0) {
        assert.deepEqual([s.names, s.pods], [[], []], line);
        continue;
      }
      const pods = new Set(cs.filter((c) => c.pod).map((c) => c.pod!.name));
      const whole = [...pods].filter((p) => {
        const members = m.containers.filter((c) => c.pod?.name === p);
        return members.length >= 2 && members.every((c) => cs.includes(c));
      });
      const single = cs.filter((c) => !c.pod || !whole.includes(c.pod.name));
      const items = single.length + whole.length;
      assert.equal(s.names.length + s.pods.length, Math.min(3, items), line);
      assert.equal(s.more, items > 3 ? items - 3 : 0, line);
      for (const n of s.names)
        assert.ok(
          single.some((c) => name(c) === n),
          `${n} in ${line}`,
        );
      for (const p of s.pods)
        assert.ok(
          whole.some((w) => p.endsWith(w)),
          `${p} in ${line}`,
        );
    }
  }
});

test('a named network namespace says its name, with or without processes', () => {
  const m = netnsModel();
  const lines = userTree(graphOf(m), { details: true }).trimEnd().split('\n').map(said);
  const byName = (n: string) => lines.find((l) => l.netns.includes(n));
  const blue = m.namespaces.find((n) => n.mounts.some((x) => x.path === '/run/netns/blue'))!;
  assert.equal(byName('blue')?.key, blue.key);
  assert.ok(blue.pids.length > 0);
  assert.deepEqual(byName('red')?.netns, ['red']); // two mounts of one name: once
  const podman = byName('netns-2f0c8a1e-5b7d-4c3e-9a6f-0d1e2f3a4b5c')!;
  assert.deepEqual(podman.names, ['web']);
  // hostile netns names stay on their line, escaped
  const h = hostileModel();
  const hl = userTree(graphOf(h), { details: true }).trimEnd().split('\n').map(said);
  const named = hl.find((l) => l.netns.length > 0)!;
  assert.deepEqual(named.netns, [
    HOSTILE_NAMES.bidi,
    HOSTILE_NAMES.backslashes,
    HOSTILE_NAMES.control,
  ]);
});

test('lspidns names the container of each PID namespace; colour only when asked', () => {
  const m = podModel();
  const text = pidTree(graphOf(m));
  assert.match(
    text,
    /pid:\[\d+\] process "node \(\d+\)" container "app" \(kubernetes, pod prod\/cart-7d9f\) owner user:\[4026531837\] root \(0\)/,
  );
  assert.doesNotMatch(text, /\x1b/);
  const c = pidTree(graphOf(m), { color: true });
  // with -c the name is bold, and only the name: the escapes are ours, around the quotes
  assert.match(c, /container \x1b\[1m"app"\x1b\[0m \(kubernetes/);
  // with -c on hostile names: our escapes added, nothing else changed (and the plain
  // tree has none at all, below), so every escape in it is ours
  const hostilePlain = userTree(graphOf(hostileModel()), { details: true });
  const hostileColored = userTree(graphOf(hostileModel()), { details: true, color: true });
  assert.notEqual(hostileColored, hostilePlain);
  assert.equal(hostileColored.replace(/\x1b\[(0|1|3[1-7]|9[34])m/g, ''), hostilePlain);
  assert.doesNotMatch(
    userTree(graphOf(hostileModel()), { details: true }),
    /\x1b/,
    'a hostile container name cannot colour the terminal',
  );
});
