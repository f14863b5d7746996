import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pidTree, userTree } from '../../main/emit/tree';
import { graphOf, type Model, type Namespace } from '../../main/model';

const ns = (n: Partial<Namespace> & Pick<Namespace, 'key'>): Namespace => {
  const [type, ino] = n.key.split(':');
  return {
    type: type as never,
    ino: Number(ino),
    origin: 'process',
    pids: [],
    tasks: [],
    fds: [],
    mounts: [],
    ...n,
  };
};

const model: Model = {
  host: { hostname: 'h', kernel: 'k', time: 't', uid: 0, nsidSupported: false },
  namespaces: [
    ns({
      key: 'user:10',
      ownerUid: 0,
      ownerName: 'root',
      pids: [1],
      label: { pid: 1, name: 'systemd' },
    }),
    ns({
      key: 'user:11',
      parent: 'user:10',
      owner: 'user:10',
      ownerUid: 1000,
      ownerName: 'foo',
      pids: [50],
      label: { pid: 50, name: 'fire"fox\nx' },
    }),
    ns({ key: 'user:12', parent: 'user:10', owner: 'user:10', ownerUid: 54321, origin: 'hidden' }),
    ns({
      key: 'user:13',
      parent: 'user:12',
      owner: 'user:12',
      ownerUid: 54321,
      pids: [60],
      label: { pid: 60, name: 'bash' },
    }),
    ns({ key: 'pid:20', owner: 'user:10', pids: [1], label: { pid: 1, name: 'systemd' } }),
    ns({
      key: 'pid:21',
      parent: 'pid:20',
      owner: 'user:11',
      pids: [50],
      label: { pid: 50, name: 'fire"fox\nx' },
    }),
    ns({ key: 'net:30', owner: 'user:10', pids: [1], label: { pid: 1, name: 'systemd' } }),
    ns({ key: 'net:31', owner: 'user:11', origin: 'fd', fds: [{ pid: 1, fd: 7 }] }),
    ns({
      key: 'uts:32',
      owner: 'user:11',
      origin: 'bindmount',
      mounts: [{ path: '/run/x\ny', mntns: 'mnt:1' }],
    }),
  ],
  processes: [
    { pid: 1, ppid: 0, name: 'systemd', start: 1, ns: {} },
    { pid: 50, ppid: 1, name: 'fire"fox\nx', start: 2, ns: {} },
    { pid: 60, ppid: 1, name: 'bash', start: 3, ns: {} },
  ],
  containers: [],
  warnings: [],
};

test('lsuserns tree in the seed format, names escaped', () => {
  assert.equal(
    userTree(graphOf(model)),
    [
      'user:[10] process "systemd (1)" owner root (0)',
      ' ├── user:[11] process "fire\\"fox\\nx (50)" owner foo (1000)',
      ' └── user:[12] (hidden) owner 54321 (54321)',
      '     └── user:[13] process "bash (60)" owner 54321 (54321)',
      '',
    ].join('\n'),
  );
});

test('lsuserns -d lists owned namespaces first, then child user namespaces', () => {
  assert.equal(
    userTree(graphOf(model), { details: true }),
    [
      'user:[10] process "systemd (1)" owner root (0)',
      ' ├── pid:[20] process "systemd (1)"',
      ' ├── net:[30] process "systemd (1)"',
      ' ├── user:[11] process "fire\\"fox\\nx (50)" owner foo (1000)',
      ' │   ├── uts:[32] (bind mount /run/x\\ny)',
      ' │   ├── pid:[21] process "fire\\"fox\\nx (50)"',
      ' │   └── net:[31] (fd 7 of "systemd (1)")',
      ' └── user:[12] (hidden) owner 54321 (54321)',
      '     └── user:[13] process "bash (60)" owner 54321 (54321)',
      '',
    ].join('\n'),
  );
});

test('lspidns tree names the owning user namespace', () => {
  assert.equal(
    pidTree(graphOf(model)),
    [
      'pid:[20] process "systemd (1)" owner user:[10] root (0)',
      ' └── pid:[21] process "fire\\"fox\\nx (50)" owner user:[11] foo (1000)',
      '',
    ].join('\n'),
  );
});

test('colour only when asked, by type', () => {
  assert.doesNotMatch(pidTree(graphOf(model)), /\x1b/);
  const c = pidTree(graphOf(model), { color: true });
  assert.match(c, /\x1b\[35mpid:\[20\]\x1b\[0m/);
  assert.match(c, /\x1b\[33muser:\[10\]\x1b\[0m/);
});
