/**
 * The one order of namespaces (main/model/order.ts): by type in lsns's
 * order, then inode; orderKey sorts kernel inodes exactly as the
 * comparator does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byTypeThenIno, FLAT_TYPES, orderKey, sortedNamespaces } from '../../main/model/order';
import { NS_TYPES } from '../../main/relations/constants';

test('by type in lsns order, then inode; the number key agrees for 32-bit inodes', () => {
  const given = [
    { type: 'net', ino: 4026531840 },
    { type: 'mnt', ino: 4026532000 },
    { type: 'time', ino: 1 },
    { type: 'mnt', ino: 4026531841 },
    { type: 'user', ino: 2 ** 32 - 1 },
    { type: 'cgroup', ino: 0 },
  ] as const;
  const sorted = sortedNamespaces(given);
  assert.deepEqual(
    sorted.map((n) => `${n.type}:${n.ino}`),
    ['mnt:4026531841', 'mnt:4026532000', 'cgroup:0', 'user:4294967295', 'net:4026531840', 'time:1'],
  );
  assert.deepEqual(
    [...given].sort((a, b) => orderKey(a) - orderKey(b)),
    sorted,
  );
  assert.equal(byTypeThenIno(given[0], given[0]), 0);
  assert.notEqual(sorted, given, 'a new array');
  assert.deepEqual(
    FLAT_TYPES,
    NS_TYPES.filter((t) => t !== 'user' && t !== 'pid'),
  );
});
