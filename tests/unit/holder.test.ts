/**
 * What holds a namespace (main/emit/holder.ts), one answer for the tree,
 * the DOT and the nsenter line: the label, else any process in it, a
 * thread, an fd, a bind mount; else hidden or nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelToDot } from '../../main/emit/dot';
import { holderOf, nsId } from '../../main/emit/holder';
import { nsenterLine } from '../../main/emit/nsenter';
import { userTree } from '../../main/emit/tree';
import { graphOf, type Model } from '../../main/model';
import { namespaceOf } from './fixtures/dot-models';

const ns = namespaceOf;

const model: Model = {
  host: { hostname: 'h', kernel: 'k', time: 't', uid: 0, nsidSupported: false },
  namespaces: [
    ns({ key: 'user:1', pids: [1], label: { pid: 1, name: 'init' } }),
    // a snapshot's namespace with processes but no label, and a thread too
    ns({ key: 'user:2', parent: 'user:1', pids: [7], tasks: [{ pid: 1, tid: 3 }] }),
    ns({ key: 'user:3', parent: 'user:1', origin: 'task', tasks: [{ pid: 1, tid: 4 }] }),
    ns({ key: 'user:4', parent: 'user:1', origin: 'fd', fds: [{ pid: 9, fd: 5 }] }),
    ns({
      key: 'user:5',
      parent: 'user:1',
      origin: 'bindmount',
      mounts: [{ path: '/run/u', mntns: 'mnt:1' }],
    }),
    ns({ key: 'user:6', parent: 'user:1', origin: 'hidden' }),
    ns({ key: 'user:7', parent: 'user:1' }),
  ],
  processes: [
    { pid: 1, ppid: 0, name: 'init', start: 1, ns: { mnt: 'mnt:1' } },
    { pid: 7, ppid: 1, name: 'worker', start: 2, ns: {} },
  ],
  containers: [],
  warnings: [],
};

test('one holder per namespace, in one order of preference', () => {
  const g = graphOf(model);
  const kinds = model.namespaces.map((n) => holderOf(g, n));
  assert.deepEqual(kinds, [
    { kind: 'process', pid: 1, name: 'init' },
    { kind: 'process', pid: 7, name: 'worker' },
    { kind: 'thread', tid: 4, pid: 1, name: 'init', count: 1 },
    { kind: 'fd', fd: 5, pid: 9, name: undefined, count: 1 },
    { kind: 'mount', mount: { path: '/run/u', mntns: 'mnt:1' }, count: 1 },
    { kind: 'hidden' },
    { kind: 'none' },
  ]);
  assert.equal(nsId(model.namespaces[0]!), 'user:[1]');
});

test('tree, DOT and nsenter name the same holder', () => {
  const g = graphOf(model);
  const tree = userTree(g).split('\n');
  const dot = modelToDot(model, { details: false });
  const enter = model.namespaces.map((n) => nsenterLine(g, n));
  // a process without a label: the process, in all three
  assert.match(tree[1]!, /user:\[2\] process "worker \(7\)"/);
  assert.match(dot, /"user:2" \[[^\n]*label=<<B>worker<\/B> \(7\)/);
  assert.deepEqual(enter[1], { text: 'nsenter --target 7 --user', via: 'process 7' });
  // a thread of a process elsewhere
  assert.match(tree[2]!, /user:\[3\] \(thread 4 of "init \(1\)"\)/);
  assert.match(dot, /"user:3" \[[^\n]*label=<thread 4 of <B>init<\/B> \(1\)/);
  assert.equal(
    enter[2] && 'text' in enter[2] && enter[2].text,
    'nsenter --user=/proc/1/task/4/ns/user',
  );
  // an fd of a process the model lacks
  assert.match(tree[3]!, /user:\[4\] \(fd 5 of " \(9\)"\)/);
  assert.match(dot, /"user:4" \[[^\n]*label=<fd 5 of pid 9/);
  // hidden and nothing: each presentation's own words
  assert.match(tree[5]!, /user:\[6\] \(hidden\)/);
  assert.match(tree[6]!, /user:\[7\] \(no process\)/);
  assert.match(dot, /"user:6" \[[^\n]*label=<<I>no process<\/I>/);
  assert.ok('unavailable' in enter[5]! && 'unavailable' in enter[6]!);
});
