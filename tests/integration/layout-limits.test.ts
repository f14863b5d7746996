/**
 * Graphviz's WASM stack in Node (issue 21): a flat star of 20 000 user
 * namespaces under one parent, written as graphns writes it
 * (tests/bench/layout-shapes.ts), overflows the stack in dot's position
 * phase. The failure says so by its kind ('too-deep', what the overview
 * falls back on), the WASM instance is replaced (its state is left
 * mid-call), and the next layout in the same process works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dotToSvg, LayoutError, layoutOrFail, loadGraphviz } from '../../main/layout';
import { starDot } from '../bench/layout-shapes';

test('a star of 20 000 is too deep; a fresh Graphviz lays out the next graph', async () => {
  const before = await loadGraphviz();
  const big = await layoutOrFail(starDot(20_000));
  assert.ok('error' in big, 'the star of 20 000 laid out: the limit moved (docs/BENCHMARKS.md)');
  assert.equal(big.kind, 'too-deep', big.error);
  assert.match(big.error, /Maximum call stack size exceeded/);
  const after = await loadGraphviz();
  assert.notEqual(after, before, 'the instance that overflowed was dropped');

  const small = await layoutOrFail(starDot(10));
  assert.ok('svg' in small, 'error' in small ? small.error : '');
  assert.match(small.svg, /<svg/);
  assert.match(small.svg, /id="user&#45;4026532010"/); // the last leaf
  // a refusal keeps the instance: its state is clean
  await assert.rejects(
    dotToSvg('digraph { a -> }'),
    (err: unknown) => err instanceof LayoutError && err.kind === 'refused',
  );
  assert.equal(await loadGraphviz(), after);
});
