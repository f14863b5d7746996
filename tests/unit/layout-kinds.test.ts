/**
 * A failed layout's kind from Graphviz's message (the library hands on
 * only the message of the WASM's exception): the Node side
 * (main/layout/svg.ts) and the page's worker (renderer/layout.ts) sort
 * every message the same way, and a DOT error is a refusal, not a failure
 * the overview could avoid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dotToSvg, LayoutError, layoutErrorKind, layoutOrFail } from '../../main/layout';
import { failureKind } from '../../renderer/layout-failure';

/** Messages seen (or written by V8, Emscripten and Graphviz for these cases) and their kinds. */
const TABLE: [string, string][] = [
  // V8's RangeError when the WASM's recursion meets the stack limit (a star of 20 000)
  ['Maximum call stack size exceeded', 'too-deep'],
  // Emscripten's shadow-stack check, Firefox's RangeError
  ['stack overflow (Attempt to set SP to 0x0000, with stack limits [0x1 - 0x2])', 'too-deep'],
  ['too much recursion', 'too-deep'],
  // WebAssembly traps and Emscripten's allocation failures
  ['memory access out of bounds', 'memory'],
  ['Aborted(Cannot enlarge memory arrays to size 2147549184 bytes (OOM).)', 'memory'],
  ['Aborted(OOM)', 'memory'],
  ['Array buffer allocation failed', 'memory'],
  ['out of memory', 'memory'],
  ['unreachable', 'crashed'],
  ['Aborted(Assertion failed)', 'crashed'],
  ['divide by zero', 'crashed'],
  ['null function or function signature mismatch', 'crashed'],
  ['table index is out of bounds', 'crashed'],
  ['Program terminated with exit(1)', 'crashed'],
  // Graphviz's own refusals
  ["Error: syntax error in line 1 near '}'", 'refused'],
  ['Error: trouble in init_rank', 'refused'],
  ['Graphviz produced no output', 'refused'],
];

test('the Node side and the worker give each message the same kind', () => {
  for (const [message, kind] of TABLE) {
    assert.equal(layoutErrorKind(message), kind, `main/layout: ${message}`);
    assert.equal(failureKind(message), kind, `renderer/layout: ${message}`);
  }
});

test('a DOT error is refused, with its kind, and the next layout works', async () => {
  const bad = await layoutOrFail('digraph { a -> }');
  assert.ok('error' in bad);
  assert.equal(bad.kind, 'refused');
  assert.match(bad.error, /syntax error/);
  await assert.rejects(
    dotToSvg('digraph { a -> }'),
    (err: unknown) => err instanceof LayoutError && err.kind === 'refused',
  );
  const good = await layoutOrFail('digraph { a -> b }');
  assert.ok('svg' in good);
  assert.match(good.svg, /<svg/);
});
