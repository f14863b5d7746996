/**
 * Cgroup paths: parsing /proc/PID/cgroup and classifying the paths each
 * engine creates. Every path below is in the shape its engine writes, named
 * with the source that writes it; the host's own shapes (this machine's
 * `/process_api/<32hex>`, systemd's services) must classify as nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  candidatePaths,
  classify,
  classifyPath,
  parseCgroupFile,
} from '../../main/discover/containers/cgroup';

const ID = 'a'.repeat(60) + '0123';
const ID2 = 'b'.repeat(60) + '4567';
const POD = 'c'.repeat(64);
const UID = '5f3e2a1b-0c4d-4e8f-9a7b-6c5d4e3f2a1b';

test('parses this host’s own /proc/self/cgroup (v1 hierarchies and the v2 line)', () => {
  const text = readFileSync('/proc/self/cgroup');
  const lines = parseCgroupFile(text)!;
  assert.ok(lines, 'parsed');
  assert.equal(lines.length, text.toString().trim().split('\n').length);
  assert.ok(lines.some((l) => l.hierarchy === 0 && l.controllers === ''));
  // whatever this host's paths are, they are no container
  assert.equal(classify({ pid: 1, ppid: 0, name: 'x', cgroups: lines }), undefined);
});

test('parseCgroupFile: v1 and v2 lines, paths kept exact (colons, non-UTF-8 bytes)', () => {
  const buf = Buffer.concat([
    Buffer.from('9:name=systemd:/a:b\n4:memory:/x\n'),
    Buffer.from([0x30, 0x3a, 0x3a, 0x2f, 0xff, 0x0a]),
  ]);
  assert.deepEqual(parseCgroupFile(buf), [
    { hierarchy: 9, controllers: 'name=systemd', path: '/a:b' },
    { hierarchy: 4, controllers: 'memory', path: '/x' },
    { hierarchy: 0, controllers: '', path: '/\udcff' },
  ]);
  assert.deepEqual(parseCgroupFile(Buffer.alloc(0)), []);
});

test('parseCgroupFile refuses a file forged by a cgroup name holding a newline', () => {
  // a delegated user's cgroup named "x\n0::/docker/<id>": the kernel prints it raw
  const forgedV2 = `4:memory:/\n0::/user.slice/user@1000.service/x\n0::/docker/${ID}\n`;
  assert.equal(parseCgroupFile(Buffer.from(forgedV2)), undefined);
  const forgedV1 = `4:memory:/u/x\n4:memory:/docker/${ID}\n0::/\n`;
  assert.equal(parseCgroupFile(Buffer.from(forgedV1)), undefined);
  const forgedCtl = `4:memory:/u/x\n12:memory:/docker/${ID}\n0::/\n`;
  assert.equal(parseCgroupFile(Buffer.from(forgedCtl)), undefined);
  assert.equal(parseCgroupFile(Buffer.from(`0::/x\nnot a line\n`)), undefined);
  assert.equal(parseCgroupFile(Buffer.from(`0::relative\n`)), undefined);
});

test('candidatePaths: v2 first, then name=systemd, pids, memory; "/" and " (deleted)" dropped', () => {
  const lines = parseCgroupFile(
    Buffer.from(
      `9:name=systemd:/s\n8:pids:/p\n4:memory:/m\n2:cpuacct:/c\n0::/v2 (deleted)\n1:cpu:/\n`,
    ),
  )!;
  assert.deepEqual(candidatePaths(lines), ['/v2', '/s', '/p', '/m', '/c']);
});

test('Docker: cgroupfs /docker/<id> (moby daemon/oci_linux.go) and systemd docker-<id>.scope', () => {
  assert.deepEqual(classifyPath(`/docker/${ID}`), { kind: 'docker', id: ID });
  assert.deepEqual(classifyPath(`/system.slice/docker-${ID}.scope`), { kind: 'docker', id: ID });
  // docker in docker: the outer container is the one on this host
  assert.deepEqual(classifyPath(`/docker/${ID}/docker/${ID2}`), { kind: 'docker', id: ID });
  // the daemon's own unit, short ids, upper case: not containers
  assert.equal(classifyPath('/system.slice/docker.service'), undefined);
  assert.equal(classifyPath('/docker/abc123'), undefined);
  assert.equal(classifyPath(`/docker/${ID.toUpperCase()}`), undefined);
  assert.equal(classifyPath(`/system.slice/docker-${ID}.scope.bak`), undefined);
});

test('podman: rootful, pods (both drivers), rootless, conmon (podman libpod/runtime_pod_linux.go)', () => {
  assert.deepEqual(classifyPath(`/libpod_parent/libpod-${ID}`), { kind: 'podman', id: ID });
  assert.deepEqual(classifyPath(`/machine.slice/libpod-${ID}.scope`), { kind: 'podman', id: ID });
  assert.deepEqual(classifyPath(`/machine.slice/libpod-${ID}.scope/container`), {
    kind: 'podman',
    id: ID,
  });
  assert.deepEqual(classifyPath(`/libpod_parent/${POD}/libpod-${ID}`), {
    kind: 'podman',
    id: ID,
    podId: POD,
  });
  assert.deepEqual(
    classifyPath(`/machine.slice/machine-libpod_pod_${POD}.slice/libpod-${ID}.scope`),
    { kind: 'podman', id: ID, podId: POD },
  );
  assert.deepEqual(
    classifyPath(
      `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
    ),
    { kind: 'podman', id: ID, rootlessUid: 1000 },
  );
  assert.deepEqual(
    classifyPath(
      `/user.slice/user-1000.slice/user@1000.service/user.slice/user-libpod_pod_${POD}.slice/libpod-${ID}.scope`,
    ),
    { kind: 'podman', id: ID, podId: POD, rootlessUid: 1000 },
  );
  assert.deepEqual(classifyPath(`/machine.slice/libpod-conmon-${ID}.scope`), {
    kind: 'podman-conmon',
    id: ID,
  });
  assert.equal(classifyPath('/libpod_parent/conmon'), undefined);
  assert.equal(classifyPath('/user.slice/user-1000.slice/user@1000.service/app.slice'), undefined);
});

test('kubepods: cgroupfs and systemd forms (kubelet cgroup_manager_linux.go; containerd helpers_linux.go)', () => {
  const u = UID.replace(/-/g, '_');
  assert.deepEqual(classifyPath(`/kubepods/burstable/pod${UID}/${ID}`), {
    kind: 'kubepods',
    podUid: UID,
    qos: 'burstable',
    id: ID,
  });
  assert.deepEqual(classifyPath(`/kubepods/pod${UID}/${ID}`), {
    kind: 'kubepods',
    podUid: UID,
    id: ID,
  });
  assert.deepEqual(classifyPath(`/kubepods/besteffort/pod${UID}/crio-${ID}`), {
    kind: 'kubepods',
    podUid: UID,
    qos: 'besteffort',
    runtime: 'cri-o',
    id: ID,
  });
  assert.deepEqual(
    classifyPath(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/cri-containerd-${ID}.scope`,
    ),
    { kind: 'kubepods', podUid: UID, qos: 'burstable', runtime: 'containerd', id: ID },
  );
  assert.deepEqual(classifyPath(`/kubepods.slice/kubepods-pod${u}.slice/crio-${ID}.scope`), {
    kind: 'kubepods',
    podUid: UID,
    runtime: 'cri-o',
    id: ID,
  });
  assert.deepEqual(
    classifyPath(
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${u}.slice/docker-${ID}.scope`,
    ),
    { kind: 'kubepods', podUid: UID, qos: 'besteffort', runtime: 'docker', id: ID },
  );
  // the pod's own cgroup, CRI-O's conmon, a qos mismatch: no container
  assert.equal(classifyPath(`/kubepods/burstable/pod${UID}`), undefined);
  assert.equal(
    classifyPath(`/kubepods.slice/kubepods-pod${u}.slice/crio-conmon-${ID}.scope`),
    undefined,
  );
  assert.equal(
    classifyPath(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod${u}.slice/crio-${ID}.scope`,
    ),
    undefined,
  );
});

test('host services and lookalikes are no container', () => {
  for (const path of [
    '/',
    '/process_api/5be55117cfa20fdaef7960300bd5df3f', // this machine's own sandbox
    '/payload',
    '/system.slice/containerd.service',
    '/system.slice/ssh.service',
    '/user.slice/user-0.slice/session-1.scope',
    `/system.slice/libpod-${ID}.mount`,
    `/default/${ID}`, // containerd's shape: confirmed only by containerd.ts
    `/lxc.payload.box1`,
    `/mydocker/${ID}x`,
  ])
    assert.equal(classifyPath(path), undefined, path);
});

test('classify uses the first candidate path with an engine (v1 memory when v2 is "/")', () => {
  const lines = parseCgroupFile(Buffer.from(`9:name=systemd:/\n4:memory:/docker/${ID}\n0::/\n`))!;
  assert.deepEqual(classify({ pid: 2, ppid: 1, name: 'sleep', cgroups: lines }), {
    kind: 'docker',
    id: ID,
  });
});
