/**
 * Who is root where, from text alone: uid_map/gid_map and status parsing
 * (main/discover), capability decoding (main/model/capabilities.ts), the
 * JSON checks of format 7's fields, and the words lsuserns -d, the DOT
 * labels and the details panel say them in. The kernel itself is the
 * oracle in tests/integration/idmaps.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EXTENTS, parseIdMap, UNMAPPED } from '../../main/discover/idmaps';
import { parseStatusFacts } from '../../main/discover/procfs';
import {
  CAP_NAMES,
  capBits,
  capNames,
  capSet,
  hasHostCaps,
  INITIAL_USER_NS,
  isIdentityMap,
} from '../../main/model/capabilities';
import {
  graphOf,
  ModelFormatError,
  parseModel,
  serializeModel,
  type Model,
} from '../../main/model';
import { nsDetails } from '../../main/emit/details';
import { modelToDot } from '../../main/emit/dot';
import { capsText, dotMapText, mapsLine, mapText, rangeText } from '../../main/emit/idmaps';
import { userTree } from '../../main/emit/tree';

/** A line as the kernel prints it: `%10u %10u %10u\n`. */
const line = (a: number, b: number, c: number) =>
  `${String(a).padStart(10)} ${String(b).padStart(10)} ${String(c).padStart(10)}\n`;

test('uid_map text: the kernel form is parsed, anything else refused', () => {
  assert.deepEqual(parseIdMap(line(0, 0, 4294967295)), [
    { inside: 0, outside: 0, count: 4294967295 },
  ]);
  assert.deepEqual(parseIdMap(line(0, 1000, 1) + line(1, 100000, 65536)), [
    { inside: 0, outside: 1000, count: 1 },
    { inside: 1, outside: 100000, count: 65536 },
  ]);
  assert.deepEqual(parseIdMap(''), [], 'not written yet');
  // a first id with no mapping for the reader: (u32)-1, whatever the count
  assert.deepEqual(parseIdMap(line(0, UNMAPPED, 65536)), [
    { inside: 0, outside: UNMAPPED, count: 65536 },
  ]);
  const bad = [
    line(0, 0, 1).trimEnd(), // no newline at the end
    '0 0\n',
    '0 0 1 2\n',
    '-1 0 1\n',
    '0x10 0 1\n',
    ' 0 0 1\n\n',
    line(0, 0, 0), // count 0
    line(1, 0, 4294967295), // wraps 32 bits inside (the kernel refuses it)
    '0 4294967296 1\n', // no 32-bit id outside
    line(0, 0, 1).replace('\n', '\r\n'),
    '00000000000 0 1\n', // 11 digits
    line(0, 0, 1).repeat(MAX_EXTENTS + 1),
  ];
  for (const text of bad) assert.equal(parseIdMap(text), undefined, JSON.stringify(text));
  assert.equal(parseIdMap(line(0, 0, 1).repeat(MAX_EXTENTS))?.length, MAX_EXTENTS);
  // outside, only the first id is the reader's: the rest of the range may run on
  assert.deepEqual(parseIdMap(line(0, 4294967290, 65536)), [
    { inside: 0, outside: 4294967290, count: 65536 },
  ]);
});

/** A status text as Linux 6.18 prints it, names and sets given. */
function status(name: string, euid: number, eff: string, prm = eff, bnd = '000001ffffffffff') {
  return Buffer.from(
    [
      `Name:\t${name}`,
      'Umask:\t0022',
      'State:\tS (sleeping)',
      'Tgid:\t42',
      `Uid:\t1000\t${euid}\t${euid}\t${euid}`,
      'Gid:\t1000\t1000\t1000\t1000',
      'Threads:\t1',
      'SigCgt:\t0000000000000000',
      'CapInh:\t0000000000000000',
      `CapPrm:\t${prm}`,
      `CapEff:\t${eff}`,
      `CapBnd:\t${bnd}`,
      'CapAmb:\t0000000000000000',
      'NoNewPrivs:\t0',
      '',
    ].join('\n'),
    'latin1',
  );
}

test('status: the effective uid and the three capability sets, only in the kernel form', () => {
  assert.deepEqual(parseStatusFacts(status('sleep', 0, '000001ffffffffff')), {
    uid: 0,
    capEff: '000001ffffffffff',
    capPrm: '000001ffffffffff',
    capBnd: '000001ffffffffff',
  });
  assert.deepEqual(parseStatusFacts(status('x', 65534, '0000000000000000', '00000000a80425fb')), {
    uid: 65534,
    capEff: '0000000000000000',
    capPrm: '00000000a80425fb',
    capBnd: '000001ffffffffff',
  });
  // the kernel escapes a name's newline; a name with a fake line before the real one changes nothing
  const fake = status('a\\nCapEff:\t000001ffffffffff', 1000, '0000000000000000');
  assert.equal(parseStatusFacts(fake).capEff, '0000000000000000');
  // malformed sets are left out, the rest kept
  for (const eff of ['000001FFFFFFFFFF', '1ffffffffff', '000001ffffffffff0', 'zzzzzzzzzzzzzzzz']) {
    const f = parseStatusFacts(status('x', 0, eff, '0000000000000001'));
    assert.equal(f.capEff, undefined, eff);
    assert.equal(f.capPrm, '0000000000000001');
  }
  assert.deepEqual(parseStatusFacts(Buffer.from('Name:\tx\n')), {});
});

test('capability masks decode to the kernel names, unknown bits as cap_N', () => {
  assert.equal(CAP_NAMES.length, 41); // CAP_LAST_CAP 40 (CAP_CHECKPOINT_RESTORE) since Linux 5.9
  assert.equal(CAP_NAMES[21], 'cap_sys_admin');
  assert.deepEqual(capBits('0000000000000000'), []);
  assert.deepEqual(capBits('8000000000000001'), [0, 63]);
  assert.deepEqual(capNames('0000020000200000'), ['cap_sys_admin', 'cap_41']);
  // Docker's default set
  assert.deepEqual(capNames('00000000a80425fb'), [
    'cap_chown',
    'cap_dac_override',
    'cap_fowner',
    'cap_fsetid',
    'cap_kill',
    'cap_setgid',
    'cap_setuid',
    'cap_setpcap',
    'cap_net_bind_service',
    'cap_net_raw',
    'cap_sys_chroot',
    'cap_mknod',
    'cap_audit_write',
    'cap_setfcap',
  ]);
});

test('capability sets in few words: all, none, all but, names; all is the kernel’s full set', () => {
  assert.equal(capsText('000001ffffffffff', 40), 'all');
  assert.equal(capsText('0000000000000000', 40), 'none');
  assert.equal(capsText(undefined), 'not known');
  assert.equal(capsText('000001fffeffffff', 40), 'all but cap_sys_resource');
  assert.equal(capsText('000001ffffdfffff', 40), 'all but cap_sys_admin');
  assert.equal(capsText('0000000000003000', 40), 'cap_net_admin, cap_net_raw');
  // a kernel with fewer capabilities: its full set is all
  assert.equal(capsText('0000003fffffffff', 37), 'all');
  assert.equal(
    capsText('0000003fffffffff', 40),
    'all but cap_perfmon, cap_bpf, cap_checkpoint_restore',
  );
  // a bit the kernel does not have is named, never hidden in `all`
  assert.equal(capSet('000003ffffffffff', 40).kind, 'some');
  assert.match(capsText('000003ffffffffff', 40), /cap_checkpoint_restore, cap_41$/);
  // many missing: the names held
  assert.equal(capSet('00000000a80425fb', 40).kind, 'some');
});

test('capabilities in the host’s user namespace: only its own processes with a non-empty set', () => {
  assert.equal(INITIAL_USER_NS, 'user:4026531837');
  const host = { ns: { user: INITIAL_USER_NS }, capEff: '0000000000000400' } as const;
  assert.equal(hasHostCaps(host), true);
  assert.equal(hasHostCaps({ ...host, capEff: '0000000000000000' }), false);
  assert.equal(hasHostCaps({ ...host, capEff: undefined }), false);
  assert.equal(hasHostCaps({ ns: { user: 'user:4026532176' }, capEff: '000001ffffffffff' }), false);
});

test('maps in words: ranges, identity, empty, unmapped', () => {
  assert.equal(rangeText({ inside: 0, outside: 100000, count: 65536 }), '0-65535 -> 100000-165535');
  assert.equal(rangeText({ inside: 0, outside: 1000, count: 1 }), '0 -> 1000');
  assert.equal(rangeText({ inside: 0, outside: UNMAPPED, count: 10 }), '0-9 -> unmapped');
  assert.equal(mapText([{ inside: 0, outside: 0, count: 4294967295 }]), 'all (identity)');
  assert.equal(mapText([]), 'none written yet');
  const many = Array.from({ length: 5 }, (_, i) => ({ inside: i, outside: 1000 + i, count: 1 }));
  assert.equal(mapText(many), '0 -> 1000, 1 -> 1001, 2 -> 1002, +2 more');
  assert.ok(isIdentityMap([{ inside: 0, outside: 0, count: 4294967295 }]));
  assert.ok(!isIdentityMap([{ inside: 0, outside: 0, count: 4294967294 }]));
});

/** A host with the initial user namespace, a mapped child, a child with no map yet and a hidden one. */
function mappedModel(): Model {
  const ns = (key: string, extra: object) => ({
    key,
    type: key.split(':')[0],
    ino: Number(key.split(':')[1]),
    origin: 'process',
    pids: [],
    tasks: [],
    fds: [],
    mounts: [],
    ...extra,
  });
  return parseModel(
    JSON.stringify({
      format: 'graphns-model',
      version: 7,
      host: {
        hostname: 'h',
        kernel: '6.18',
        time: '2026-01-01T00:00:00.000Z',
        uid: 0,
        userns: INITIAL_USER_NS,
        nsidSupported: true,
        capLastCap: 40,
      },
      namespaces: [
        ns('net:4026531840', { owner: INITIAL_USER_NS, pids: [1, 20, 30] }),
        ns(INITIAL_USER_NS, {
          ownerUid: 0,
          pids: [1],
          label: { pid: 1, name: 'init' },
          uidMap: [{ inside: 0, outside: 0, count: 4294967295 }],
          gidMap: [{ inside: 0, outside: 0, count: 4294967295 }],
        }),
        ns('user:4026532200', {
          parent: INITIAL_USER_NS,
          owner: INITIAL_USER_NS,
          ownerUid: 1000,
          pids: [20],
          label: { pid: 20, name: 'sleep' },
          uidMap: [
            { inside: 0, outside: 1000, count: 1 },
            { inside: 1, outside: 100000, count: 65536 },
          ],
          gidMap: [{ inside: 0, outside: 1000, count: 1 }],
        }),
        ns('user:4026532300', {
          parent: INITIAL_USER_NS,
          owner: INITIAL_USER_NS,
          ownerUid: 0,
          pids: [30],
          label: { pid: 30, name: 'unshare' },
          uidMap: [],
          gidMap: [],
        }),
        ns('user:4026532400', {
          origin: 'hidden',
          parent: INITIAL_USER_NS,
          owner: INITIAL_USER_NS,
          ownerUid: 0,
        }),
      ],
      processes: [
        {
          pid: 1,
          ppid: 0,
          name: 'init',
          start: 1,
          ns: { user: INITIAL_USER_NS, net: 'net:4026531840' },
          uid: 0,
          capEff: '000001ffffffffff',
          capPrm: '000001ffffffffff',
          capBnd: '000001ffffffffff',
        },
        {
          pid: 20,
          ppid: 1,
          name: 'sleep',
          start: 2,
          ns: { user: 'user:4026532200', net: 'net:4026531840' },
          uid: 0,
          capEff: '000001ffffffffff',
        },
        {
          pid: 30,
          ppid: 1,
          name: 'unshare',
          start: 3,
          ns: { user: 'user:4026532300', net: 'net:4026531840' },
          uid: 65534,
          capEff: '0000000000000000',
        },
      ],
      containers: [],
      warnings: [],
    }),
  );
}

test('lsuserns -d: each user namespace’s maps after its owner', () => {
  const text = userTree(graphOf(mappedModel()), { details: true });
  const userLines = text.split('\n').filter((l) => /user:\[/.test(l));
  assert.match(
    userLines[0]!,
    /^user:\[4026531837\] .* owner 0 \(0\) maps uid\/gid all \(identity\)$/,
  );
  assert.match(
    userLines[1]!,
    /user:\[4026532200\] .* maps uid 0 -> 1000, 1-65536 -> 100000-165535; gid 0 -> 1000$/,
  );
  assert.match(userLines[2]!, /user:\[4026532300\] .* maps uid\/gid none written yet$/);
  assert.match(
    userLines[3]!,
    /user:\[4026532400\] \(hidden\) .* maps unknown \(no process inside\)$/,
  );
  // without -d, lines stay as they were
  assert.doesNotMatch(userTree(graphOf(mappedModel())), /maps/);
  assert.equal(mapsLine(mappedModel().namespaces[4]!), undefined);
});

test('DOT: a user namespace’s label says its uid map in one short line, not the host’s identity', () => {
  const m = mappedModel();
  const byKey = new Map(m.namespaces.map((n) => [n.key, n]));
  assert.equal(dotMapText(byKey.get(INITIAL_USER_NS)!), undefined);
  assert.equal(dotMapText(byKey.get('user:4026532200')!), 'uid map 0 -> 1000 +1');
  assert.equal(dotMapText(byKey.get('user:4026532300')!), 'uid map none yet');
  assert.equal(dotMapText(byKey.get('user:4026532400')!), undefined);
  const dot = modelToDot(m, { details: false });
  const label = (key: string) => dot.split('\n').find((l) => l.trimStart().startsWith(`"${key}"`))!;
  assert.match(label('user:4026532200'), /uid map 0 -&gt; 1000 \+1</);
  assert.doesNotMatch(label(INITIAL_USER_NS), /uid map/);
  assert.doesNotMatch(label('user:4026532400'), /uid map/);
  // a single range: its first ids and where they start outside
  const one = {
    ...byKey.get('user:4026532200')!,
    uidMap: [{ inside: 0, outside: 100000, count: 65536 }],
  };
  assert.equal(dotMapText(one), 'uid map 0-65535 -> 100000');
});

test('details: a user namespace’s maps, each process’s capabilities, and who holds them in the host’s', () => {
  const g = graphOf(mappedModel());
  const child = nsDetails(g, 'user:4026532200')!;
  assert.deepEqual(child.idMaps, {
    uid: ['0 -> 1000', '1-65536 -> 100000-165535'],
    gid: ['0 -> 1000'],
    outsideIn: INITIAL_USER_NS,
  });
  assert.deepEqual(nsDetails(g, INITIAL_USER_NS)!.idMaps, {
    uid: ['all (identity)'],
    gid: ['all (identity)'],
    // the scanner reads its own namespace's map: the kernel shows it against the parent, here none
  });
  assert.deepEqual(nsDetails(g, 'user:4026532400')!.idMaps, {
    unknown: 'unknown (no process inside)',
  });
  assert.equal(nsDetails(g, 'net:4026531840')!.idMaps, undefined);
  const rows = nsDetails(g, 'net:4026531840')!.processes;
  assert.deepEqual(
    rows.map((r) => [r.pid, r.caps, r.capsIn, r.hostCaps]),
    [
      [1, 'all', undefined, true],
      [20, 'all', 'user:4026532200', false],
      [30, 'none', 'user:4026532300', false],
    ],
  );
  // in its own user namespace's panel, a process's namespace goes without saying
  assert.deepEqual(
    nsDetails(g, 'user:4026532200')!.processes.map((r) => [r.caps, r.capsIn, r.hostCaps]),
    [['all', undefined, false]],
  );
});

test('format 7 round-trips maps, capability sets and cap_last_cap', () => {
  const m = mappedModel();
  assert.equal(JSON.parse(serializeModel(m)).version, 7);
  assert.deepEqual(parseModel(serializeModel(m)), m);
  // extra keys inside a range are dropped like everywhere else
  const d = JSON.parse(serializeModel(m));
  d.namespaces[2].uidMap[0].extra = 'x';
  assert.deepEqual(parseModel(JSON.stringify(d)), m);
});

test('hostile or malformed format-7 values are refused with a clear error', () => {
  const bad = (mutate: (d: Record<string, any>) => void, message: RegExp) => {
    const d = JSON.parse(serializeModel(mappedModel()));
    mutate(d);
    assert.throws(
      () => parseModel(JSON.stringify(d)),
      (e: Error) => e instanceof ModelFormatError && message.test(e.message),
      message.source,
    );
  };
  const p0 = (d: Record<string, any>) => d.processes[0];
  const child = (d: Record<string, any>) => d.namespaces[2];
  bad(
    (d) => (p0(d).capEff = '000001FFFFFFFFFF'),
    /^processes\[0\]\.capEff: not 16 lowercase hex digits: "000001FFFFFFFFFF"/,
  );
  bad((d) => (p0(d).capEff = 'ffffffffffffffff0'), /^processes\[0\]\.capEff: not 16 lowercase hex/);
  bad(
    (d) => (p0(d).capPrm = 'x'.repeat(100_000)),
    /^processes\[0\]\.capPrm: not 16 .*\(100000 characters\)/,
  );
  bad((d) => (p0(d).capBnd = 0x1ff), /^processes\[0\]\.capBnd: not a string/);
  bad((d) => (p0(d).capEff = ['0000000000000000']), /^processes\[0\]\.capEff: not a string/);
  bad((d) => (d.host.capLastCap = 64), /^host\.capLastCap: not a capability number \(0-63\): 64/);
  bad((d) => (d.host.capLastCap = -1), /^host\.capLastCap: not a non-negative integer/);
  bad(
    (d) => (d.namespaces[0].uidMap = []),
    /^namespaces\[0\]\.uidMap: only a user namespace has id maps/,
  );
  bad((d) => (child(d).uidMap = {}), /^namespaces\[2\]\.uidMap: not an array/);
  bad((d) => (child(d).gidMap = [7]), /^namespaces\[2\]\.gidMap\[0\]: not an object/);
  bad(
    (d) => (child(d).uidMap[0].count = 0),
    /^namespaces\[2\]\.uidMap\[0\]\.count: not 1 to 4294967295: 0/,
  );
  bad(
    (d) => (child(d).uidMap[0].count = 2 ** 32),
    /^namespaces\[2\]\.uidMap\[0\]\.count: not 1 to 4294967295/,
  );
  bad(
    (d) => (child(d).uidMap[0].inside = -1),
    /^namespaces\[2\]\.uidMap\[0\]\.inside: not a non-negative integer/,
  );
  bad(
    (d) => (child(d).uidMap[0].outside = 1.5),
    /^namespaces\[2\]\.uidMap\[0\]\.outside: not a non-negative/,
  );
  bad(
    (d) => (child(d).uidMap[0].outside = '1000'),
    /^namespaces\[2\]\.uidMap\[0\]\.outside: not a non-negative/,
  );
  bad(
    (d) => (child(d).uidMap[1] = { inside: 4294967295, outside: 0, count: 2 }),
    /^namespaces\[2\]\.uidMap\[1\]: runs past id 4294967295 inside/,
  );
  bad(
    (d) => (child(d).gidMap[0] = { inside: 0, outside: 2 ** 32, count: 10 }),
    /^namespaces\[2\]\.gidMap\[0\]\.outside: not a 32-bit id: 4294967296/,
  );
  bad(
    (d) =>
      (child(d).uidMap = Array.from({ length: 341 }, (_, i) => ({
        inside: i,
        outside: i,
        count: 1,
      }))),
    /^namespaces\[2\]\.uidMap: more than 340 ranges \(341\)/,
  );
  bad(
    (d) => (child(d).uidMap[0].count = undefined),
    /^namespaces\[2\]\.uidMap\[0\]\.count: not a non-negative/,
  );
  // the outside start the kernel prints for an id the reader cannot map stays readable
  const d = JSON.parse(serializeModel(mappedModel()));
  child(d).uidMap = [{ inside: 0, outside: 4294967295, count: 65536 }];
  assert.equal(parseModel(JSON.stringify(d)).namespaces[2]!.uidMap![0]!.outside, 4294967295);
  // a version-6 snapshot (no maps, no capabilities) still opens
  const old = JSON.parse(serializeModel(mappedModel()));
  old.version = 6;
  for (const n of old.namespaces) {
    delete n.uidMap;
    delete n.gidMap;
  }
  for (const p of old.processes) {
    delete p.capEff;
    delete p.capPrm;
    delete p.capBnd;
  }
  delete old.host.capLastCap;
  const m6 = parseModel(JSON.stringify(old));
  assert.equal('unknown' in nsDetails(graphOf(m6), 'user:4026532200')!.idMaps!, true);
  assert.equal(nsDetails(graphOf(m6), 'net:4026531840')!.processes[0]!.caps, undefined);
});
