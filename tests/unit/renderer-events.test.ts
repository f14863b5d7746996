/**
 * The page's events (renderer/events.ts): listeners run in the steps the
 * event declares, whatever order they subscribed in; a disposed listener
 * is not told again, not even later in the emit that disposed it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disposeAll, Signal } from '../../renderer/events';

test('listeners run by step, then in the order they subscribed', () => {
  const s = new Signal<number, 'overlay' | 'marks' | 'panels'>(['overlay', 'marks', 'panels']);
  const heard: string[] = [];
  s.on('panels', (v) => heard.push(`panels a ${v}`));
  s.on('marks', (v) => heard.push(`marks ${v}`));
  s.on('panels', (v) => heard.push(`panels b ${v}`));
  s.on('overlay', (v) => heard.push(`overlay ${v}`));
  s.emit(1);
  assert.deepEqual(heard, ['overlay 1', 'marks 1', 'panels a 1', 'panels b 1']);
});

test('a step the event does not have is refused', () => {
  const s = new Signal<number, string>(['one']);
  assert.throws(() => s.on('two', () => undefined), /no step two/);
});

test('disposed listeners are not told, even later in the same emit', () => {
  const s = new Signal<string, 'first' | 'second'>(['first', 'second']);
  const heard: string[] = [];
  const later = s.on('second', (v) => heard.push(`second ${v}`));
  s.on('first', (v) => {
    heard.push(`first ${v}`);
    if (v === 'b') later.dispose();
  });
  s.emit('a');
  s.emit('b');
  s.emit('c');
  assert.deepEqual(heard, ['first a', 'second a', 'first b', 'first c']);
});

test('one added during an emit waits for the next; disposeAll lets go of all', () => {
  const s = new Signal<number, 'x'>(['x']);
  const heard: number[] = [];
  const subs = [s.on('x', () => subs.push(s.on('x', (v) => heard.push(v))))];
  s.emit(1);
  assert.deepEqual(heard, []);
  s.emit(2);
  assert.deepEqual(heard, [2]);
  disposeAll(subs);
  assert.equal(subs.length, 0);
  s.emit(3);
  assert.deepEqual(heard, [2]);
});
