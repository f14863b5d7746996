import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  NS_GET_ID,
  NS_GET_NSTYPE,
  NS_GET_OWNER_UID,
  NS_GET_PARENT,
  NS_GET_USERNS,
  NS_TYPE_NAMES,
  nsTypeName,
} from '../../main/relations';

test('CLONE_NEW* values are those of <linux/sched.h>', () => {
  assert.equal(CLONE_NEWNS, 0x20000);
  assert.equal(CLONE_NEWCGROUP, 0x2000000);
  assert.equal(CLONE_NEWUTS, 0x4000000);
  assert.equal(CLONE_NEWIPC, 0x8000000);
  assert.equal(CLONE_NEWUSER, 0x10000000);
  assert.equal(CLONE_NEWPID, 0x20000000);
  assert.equal(CLONE_NEWNET, 0x40000000);
  assert.equal(CLONE_NEWTIME, 0x80);
});

test('ioctl request numbers are those of <linux/nsfs.h>', () => {
  assert.equal(NS_GET_USERNS, 0xb701);
  assert.equal(NS_GET_PARENT, 0xb702);
  assert.equal(NS_GET_NSTYPE, 0xb703);
  assert.equal(NS_GET_OWNER_UID, 0xb704);
  assert.equal(NS_GET_ID, 0x8008b70d);
});

test('nsTypeName names every type as lsns does', () => {
  assert.deepEqual([...NS_TYPE_NAMES.values()].sort(), [
    'cgroup',
    'ipc',
    'mnt',
    'net',
    'pid',
    'time',
    'user',
    'uts',
  ]);
  assert.equal(nsTypeName(CLONE_NEWNS), 'mnt');
  assert.equal(nsTypeName(CLONE_NEWTIME), 'time');
  assert.equal(nsTypeName(CLONE_NEWUSER), 'user');
});

test('nsTypeName throws RangeError for anything else', () => {
  for (const bad of [0, 1, 3, CLONE_NEWNS | CLONE_NEWNET, -CLONE_NEWNET, NaN, 0.5]) {
    assert.throws(() => nsTypeName(bad), RangeError, String(bad));
  }
});
