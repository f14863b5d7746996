/**
 * What live refresh compares (renderer/diff.ts): two scans are the same
 * when only their time differs, whatever the hostname holds; two DOT texts
 * draw the same when only the legend's time differs; new and vanished
 * namespaces, the vanished described from the model that still had them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToDot } from '../../main/emit/dot';
import { graphOf, serializeModel, type Model } from '../../main/model';
import { diffModels, sameDrawing, sameScan } from '../../renderer/diff';
import { syntheticModel } from '../bench/synthetic';

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
