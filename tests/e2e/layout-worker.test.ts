/**
 * The viewer's layout worker in Chromium at Graphviz's stack limit (issue
 * 21): a flat star of 20 000 user namespaces under one parent, as graphns
 * writes it, overflows the worker's stack in dot's position phase; the
 * worker answers `{ id, error, kind: 'too-deep' }` (what the page falls
 * back to the overview on), loads a fresh Graphviz, and lays out the next
 * graph. Runs dist/renderer/worker.js: needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viewerSkip } from '../helpers/viewer';
import { workerPage } from '../bench/layout-chromium';
import { starDot } from '../bench/layout-shapes';

test(
  'the worker says a star of 20 000 is too deep, then lays out the next graph',
  { skip: viewerSkip(), timeout: 600_000 },
  async () => {
    const wp = await workerPage();
    try {
      const big = await wp.layout(starDot(20_000));
      assert.equal(
        big.svgBytes,
        undefined,
        'the star laid out: the limit moved (docs/BENCHMARKS.md)',
      );
      assert.equal(big.kind, 'too-deep', big.error);
      assert.match(big.error ?? '', /Maximum call stack size exceeded/);

      const small = await wp.layout(starDot(10));
      assert.equal(small.error, undefined, small.error);
      assert.ok((small.svgBytes ?? 0) > 1000);

      const bad = await wp.layout('digraph { a -> }');
      assert.equal(bad.kind, 'refused', bad.error);
      const again = await wp.layout(starDot(3));
      assert.equal(again.error, undefined, again.error);
    } finally {
      await wp.close();
    }
  },
);
