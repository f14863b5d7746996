/**
 * The find worker's packing (renderer/find-wire.ts): what the page reads
 * back is what the index ranked, in order, with one subject object per
 * subject (matchWords counts by identity), so the count's words read the
 * same as when the page ranked for itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findIndex, matchWords } from '../../main/emit/find';
import { graphOf } from '../../main/model/graph';
import { packMatches, unpackMatches } from '../../renderer/find-wire';
import { syntheticModel } from '../bench/synthetic';
import { enginesModel } from './fixtures/dot-models';

test('packed matches read back as ranked, and word the same', () => {
  for (const [model, queries] of [
    [enginesModel(), ['web', 'podman', '1', 'net', 'shop']],
    [syntheticModel(2000), ['contai', 'chromi', '4026', 'systemd']],
  ] as const) {
    const index = findIndex(graphOf(model));
    for (const q of queries) {
      const ranked = index.rank(q);
      assert.ok(ranked.length > 0, `${q} matches something`);
      const p = packMatches(ranked);
      // what structured cloning does to the subjects: copies, made once each
      const subjects = structuredClone(p.subjects);
      const back = unpackMatches(p.keys, new Uint32Array(p.codes), subjects);
      assert.deepEqual(
        back.keys,
        ranked.map((m) => m.key),
      );
      const all = back.keys.map((_, i) => back.match(i));
      assert.deepEqual(all, ranked);
      assert.equal(matchWords(all), matchWords(ranked), q);
    }
  }
  const none = packMatches([]);
  assert.deepEqual(unpackMatches(none.keys, none.codes, none.subjects).keys, []);
});
