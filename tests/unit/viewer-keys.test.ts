/**
 * The viewer's key map (renderer/keys.ts): every key the help lists does
 * what the help says, chords are told apart (Ctrl+F is find, Alt and Meta
 * chords stay the desktop's), and the find box's own keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionForKey,
  chord,
  FIND_BINDINGS,
  findActionForKey,
  KEY_BINDINGS,
  Keymap,
} from '../../renderer/keys';

const none = { ctrlKey: false, altKey: false, metaKey: false, shiftKey: false };

/** A KeyboardEvent's key and modifiers for a binding's name (`Ctrl+F`, `Shift+Enter`, `q`). */
function press(name: string): [string, typeof none] {
  const m = /^(Ctrl\+)?(Shift\+)?(.+)$/.exec(name)!;
  return [m[3]!, { ...none, ctrlKey: !!m[1], shiftKey: !!m[2] }];
}

test('every binding the help lists maps its keys to its action', () => {
  for (const b of KEY_BINDINGS) {
    for (const k of b.keys) assert.equal(actionForKey(...press(k)), b.action, k);
  }
  for (const b of FIND_BINDINGS) {
    for (const k of b.keys) assert.equal(findActionForKey(...press(k)), b.action, k);
  }
});

test('chords: Ctrl+F finds whatever the case, Alt/Meta chords and unbound Ctrl ones are not ours', () => {
  assert.equal(actionForKey('/', none), 'find');
  assert.equal(actionForKey('f', { ...none, ctrlKey: true }), 'find');
  assert.equal(actionForKey('F', { ...none, ctrlKey: true, shiftKey: true }), 'find');
  assert.equal(actionForKey('f', none), 'focusFilters', 'plain f is not Ctrl+F');
  assert.equal(actionForKey('f', { ...none, altKey: true }), undefined);
  assert.equal(actionForKey('q', { ...none, ctrlKey: true }), undefined);
  assert.equal(actionForKey('q', { ...none, metaKey: true }), undefined);
  assert.equal(actionForKey('?', { ...none, shiftKey: true }), 'help');
  assert.equal(chord('Enter', { ...none, shiftKey: true }), 'Shift+Enter');
  assert.equal(chord('+', { ...none, shiftKey: true }), '+');
});

test('the find box: Enter next, Shift+Enter previous, Ctrl+Enter details; letters are text', () => {
  assert.equal(findActionForKey('Enter', none), 'next');
  assert.equal(findActionForKey('Enter', { ...none, shiftKey: true }), 'previous');
  assert.equal(findActionForKey('Enter', { ...none, ctrlKey: true }), 'details');
  assert.equal(findActionForKey('Escape', none), 'close');
  for (const k of ['q', 'h', '/', '+', 's', 'r', '1'])
    assert.equal(findActionForKey(k, none), undefined, k);
});

test('a key bound twice is refused when the map is made', () => {
  assert.throws(
    () =>
      new Keymap([
        { keys: ['a'], action: 'one', help: '' },
        { keys: ['b', 'a'], action: 'two', help: '' },
      ]),
    /key a is bound to both one and two/,
  );
  const map = new Keymap([...KEY_BINDINGS, { keys: ['a'], action: 'panel', help: '' }]);
  assert.equal(map.actionFor('a', none), 'panel');
  assert.equal(map.actionFor('q', none), 'quit');
});
