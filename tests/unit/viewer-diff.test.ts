/**
 * What live refresh compares (renderer/diff.ts): two scans are the same
 * when only their time differs, whatever the hostname holds; two DOT texts
 * draw the same when only the legend's time differs; new and vanished
 * namespaces, the vanished described from the model that still had them.
 * And comparing two snapshots (compareModels): namespaces and containers
 * added, removed and changed, checked against the two models' own
 * contents (keys in one and not the other, entries that differ); and what
 * the page makes of a snapshot file it reads (renderer/snapshot.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToDot } from '../../main/emit/dot';
import { graphOf, parseModel, serializeModel, type Model } from '../../main/model';
import { SNAPSHOT_MAX_BYTES } from '../../main/contract';
import { compareModels, diffModels, sameDrawing, sameScan } from '../../renderer/diff';
import {
  fileIsNewer,
  readSnapshotText,
  sizeRefusal,
  snapshotResult,
  takenAt,
} from '../../renderer/snapshot';
import { syntheticModel } from '../bench/synthetic';
import { deployedModel, enginesModel } from './fixtures/dot-models';

const at = (m: Model, time: string): Model => ({ ...m, host: { ...m.host, time } });

test('scans differing only in their time are the same; any other change is not', () => {
  const m = syntheticModel(40);
  const a = serializeModel(at(m, '2026-01-01T00:00:00.000Z'));
  assert.equal(sameScan(a, serializeModel(at(m, '2026-03-04T05:06:07.890Z'))), true);
  assert.equal(sameScan(a, a), true);
  const other = structuredClone(m);
  other.namespaces[3]!.pids.push(1);
  assert.equal(sameScan(a, serializeModel(at(other, '2026-01-01T00:00:00.000Z'))), false);
  const renamed = structuredClone(m);
  renamed.processes[0]!.name = 'systemc';
  assert.equal(sameScan(a, serializeModel(renamed)), false, 'a change of the same length');
});

test('a hostname or a time holding quotes and "time" cannot hide a change', () => {
  const m = syntheticModel(20);
  const hostile = { ...m, host: { ...m.host, hostname: 'h","time":"x' } };
  const a = serializeModel(at(hostile, '2026-01-01T00:00:00.000Z'));
  const b = serializeModel(
    at(
      { ...hostile, host: { ...hostile.host, hostname: 'h","time":"y' } },
      '2026-01-01T00:00:00.000Z',
    ),
  );
  assert.equal(sameScan(a, b), false, 'the hostnames differ');
  assert.equal(sameScan(a, serializeModel(at(hostile, '2026-01-02T00:00:00.000Z'))), true);
  // a time with an escaped quote and backslash is cut whole
  const q1 = serializeModel(at(m, 'a\\"b"c'));
  const q2 = serializeModel(at(m, 'z\\"y"x'));
  assert.equal(sameScan(q1, q2), true);
  const changed = structuredClone(m);
  changed.namespaces[1]!.pids.push(99);
  assert.equal(sameScan(q1, serializeModel(at(changed, 'z\\"y"x'))), false);
});

test('DOT differing only in the legend time draws the same', () => {
  const m = syntheticModel(40);
  const t1 = '2026-01-01T00:00:00.000Z';
  const t2 = '2026-05-05T11:22:33.444Z';
  const d1 = modelToDot(at(m, t1), { details: true });
  const d2 = modelToDot(at(m, t2), { details: true });
  assert.notEqual(d1, d2);
  assert.equal(sameDrawing({ dot: d1, time: t1 }, { dot: d2, time: t2 }), true);
  const relabelled = structuredClone(m);
  relabelled.namespaces[2]!.label = { pid: 1, name: 'other' };
  const d3 = modelToDot(at(relabelled, t2), { details: true });
  assert.equal(sameDrawing({ dot: d1, time: t1 }, { dot: d3, time: t2 }), false);
});

test('new and vanished namespaces, the vanished with what they were', () => {
  const m = syntheticModel(40);
  const gone = m.namespaces.find((n) => n.type === 'net' && n.label)!;
  const after = structuredClone(m);
  after.namespaces = after.namespaces.filter((n) => n.key !== gone.key);
  after.namespaces.push({ ...structuredClone(gone), key: 'net:4026539999', ino: 4026539999 });
  const d = diffModels(graphOf(m), graphOf(after));
  assert.deepEqual(d.added, ['net:4026539999']);
  assert.deepEqual(d.vanished, [
    { key: gone.key, id: `net:[${gone.ino}]`, was: `${gone.label!.name} (${gone.label!.pid})` },
  ]);
  assert.deepEqual(diffModels(graphOf(m), graphOf(m)), { added: [], vanished: [] });
});

/** What differs between two models, read from their contents alone: keys of one only, entries that differ. */
function expected<T extends { key: string }>(before: readonly T[], after: readonly T[]) {
  const b = new Map(before.map((x) => [x.key, JSON.stringify(x)]));
  const a = new Map(after.map((x) => [x.key, JSON.stringify(x)]));
  return {
    added: after.filter((x) => !b.has(x.key)).map((x) => x.key),
    removed: before.filter((x) => !a.has(x.key)).map((x) => x.key),
    changed: after.filter((x) => b.has(x.key) && b.get(x.key) !== a.get(x.key)).map((x) => x.key),
  };
}

/** `before` with a container gone, one renamed, one new (with a network namespace of its own), a process more (the fixture's deploy), as a snapshot carries it (sorted, checked). */
const deployed = (before: Model): Model =>
  parseModel(serializeModel(deployedModel(before, before.host.time)));

test('compare: namespaces and containers added, removed and changed, as the two models hold them', () => {
  const before = parseModel(serializeModel(enginesModel()));
  const after = deployed(before);
  const c = compareModels(graphOf(before), graphOf(after));
  const ns = expected(before.namespaces, after.namespaces);
  const ct = expected(before.containers, after.containers);
  assert.ok(
    ns.added.length === 1 && ns.removed.length > 1 && ns.changed.length > 1,
    'a real change',
  );
  assert.deepEqual(c.added.map((x) => x.key).sort(), [...ns.added].sort());
  assert.deepEqual(c.removed.map((x) => x.key).sort(), [...ns.removed].sort());
  assert.deepEqual(c.changed.map((x) => x.key).sort(), [...ns.changed].sort());
  assert.deepEqual(
    c.containers.added.map((x) => x.key),
    ct.added,
  );
  assert.deepEqual(
    c.containers.removed.map((x) => x.key),
    ct.removed,
  );
  assert.deepEqual(c.containers.changed.map((x) => x.key).sort(), [...ct.changed].sort());

  // in words: what each is, and what changed of it
  assert.deepEqual(c.added[0], {
    key: 'net:4026539001',
    id: 'net:[4026539001]',
    is: 'redis (9000), container cache',
  });
  const boxNs = c.removed.find((v) => v.key.startsWith('pid:'))!;
  assert.match(boxNs.was, /^init \(\d+\), container box1$/);
  // box1's process gone, cache's come: as many processes as before, not the same ones
  const hostUser = c.changed.find((x) => x.key === 'user:4026531837')!;
  assert.deepEqual(hostUser.changes, [
    'processes 8 (changed)',
    'containers api, web, web-side, box1, nspawn1, shop-infra, cart -> api-v2, web, web-side, nspawn1, shop-infra, cart, cache',
  ]);
  const api = c.containers.changed.find((x) => x.text.startsWith('"api-v2"'))!;
  assert.deepEqual(api.changes, ['name api -> api-v2']);
  assert.equal(c.containers.added[0]!.text, '"cache" (podman)');
  assert.equal(c.containers.removed[0]!.text, '"box1" (lxc)');

  // the other way round, everything swaps; a model against itself differs in nothing
  const back = compareModels(graphOf(after), graphOf(before));
  assert.deepEqual(back.added.map((x) => x.key).sort(), [...ns.removed].sort());
  assert.deepEqual(
    back.removed.map((x) => x.key),
    ns.added,
  );
  const same = compareModels(graphOf(before), graphOf(before));
  assert.deepEqual(same, {
    added: [],
    removed: [],
    changed: [],
    containers: { added: [], removed: [], changed: [] },
  });
});

test('compare: interfaces and maps count as changes; hostile names stay raw text for the notice to escape', () => {
  const before = parseModel(serializeModel(enginesModel()));
  const after = structuredClone(before);
  const user = after.namespaces.find((n) => n.type === 'user' && n.parent)!;
  user.uidMap = [{ inside: 0, outside: 100000, count: 65536 }];
  const net = after.namespaces.find((n) => n.type === 'net')!;
  net.interfaces = [];
  const web = after.containers.find((x) => x.name === 'web')!;
  web.name = 'evil\u202e<b>';
  const c = compareModels(graphOf(before), graphOf(after));
  const u = c.changed.find((x) => x.key === user.key)!;
  assert.deepEqual(u.changes, ['uid map unknown -> 0-65535 -> 100000-165535']);
  assert.deepEqual(c.changed.find((x) => x.key === net.key)!.changes, [
    'interfaces not read -> none',
  ]);
  assert.deepEqual(c.containers.changed.find((x) => x.key === web.key)!.changes, [
    'name web -> evil\u202e<b>',
  ]);
});

test('a snapshot the page reads: the limit of --open, the checks of parseModel, the DOT of the Node side', () => {
  assert.equal(sizeRefusal('a.json', SNAPSHOT_MAX_BYTES), undefined);
  assert.equal(
    sizeRefusal('big\u202e.json', SNAPSHOT_MAX_BYTES + 1),
    'big\\u{202e}.json is not opened: larger than 256 MiB, the limit for a snapshot',
  );
  const m = enginesModel();
  const text = serializeModel(m);
  const pm = readSnapshotText('engines.json', text);
  assert.ok(!('refused' in pm));
  for (const start of [
    { details: false, net: false },
    { details: true, net: false },
  ]) {
    const r = snapshotResult('engines.json', text, pm, start);
    assert.equal(r.dot, modelToDot(m, { details: start.details }), 'as graphns --open draws it');
    assert.equal(r.modelJson, text);
    assert.equal(r.title, 'graphns — engines (snapshot engines.json)');
    assert.equal(r.namespaces, m.namespaces.length);
  }
  // refusals name the file and the problem, escaped (the model error quotes the bad value raw)
  const hostile = text.replace('"type":"net"', '"type":"net\\u202e"');
  const bad = readSnapshotText('x\u202e.json', hostile) as { refused: string };
  assert.match(bad.refused, /^x\\u\{202e\}\.json is not a usable graphns snapshot: /);
  assert.ok(!bad.refused.includes('\u202e'), bad.refused);
  assert.match((readSnapshotText('a.json', '[]') as { refused: string }).refused, /snapshot/);
  assert.match((readSnapshotText('a.json', '') as { refused: string }).refused, /not valid JSON/);
});

test('comparing: the newer is drawn, a live scan always', () => {
  const at = (t: string) => ({ live: false, time: t });
  assert.equal(fileIsNewer(at('2026-01-01T10:00:00Z'), { time: '2026-01-01T11:00:00Z' }), true);
  assert.equal(fileIsNewer(at('2026-01-01T11:00:00Z'), { time: '2026-01-01T10:00:00Z' }), false);
  assert.equal(fileIsNewer(at('2026-01-01T10:00:00Z'), { time: '2026-01-01T10:00:00Z' }), false);
  assert.equal(
    fileIsNewer({ live: true, time: '2000-01-01T00:00:00Z' }, { time: '2030-01-01T00:00:00Z' }),
    false,
  );
  assert.equal(fileIsNewer(at('garbage'), { time: '2026-01-01T10:00:00Z' }), false);
  assert.equal(takenAt('2026-01-01T10:00:00.123Z'), '2026-01-01 10:00:00 UTC');
  assert.equal(takenAt('not a time'), 'not a time');
});

test("compare: one key for two namespaces (an inode given again, the kernel's ids differ) is one removed, one added", () => {
  const before = parseModel(serializeModel(enginesModel()));
  const net = before.namespaces.find((n) => n.type === 'net' && n.ino > 4026532000)!;
  net.nsid = '8001';
  const after = structuredClone(before);
  const again = after.namespaces.find((n) => n.key === net.key)!;
  again.nsid = '9001';
  const c = compareModels(graphOf(before), graphOf(after));
  assert.deepEqual(
    c.added.map((x) => x.key),
    [net.key],
  );
  assert.deepEqual(
    c.removed.map((x) => x.key),
    [net.key],
  );
  assert.deepEqual(c.changed, []);
  // the same id: the same namespace (and without ids, the key is all there is)
  again.nsid = '8001';
  again.pids = [...again.pids, 1];
  const same = compareModels(graphOf(before), graphOf(after));
  assert.deepEqual([same.added, same.removed], [[], []]);
  assert.deepEqual(
    same.changed.map((x) => x.key),
    [net.key],
  );
});
