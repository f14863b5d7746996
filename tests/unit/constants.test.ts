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
  ARCH_IOC_LAYOUTS,
  IOC_LAYOUTS,
  ioc,
  iocLayoutOf,
  iow,
  nsIoctls,
  nsIoctlsFor,
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

// Every Node architecture, by the layout its kernel uses (arch/*/include/uapi/asm/ioctl.h).
const GENERIC_ARCHES = ['x64', 'ia32', 'arm', 'arm64', 'riscv64', 'loong64', 's390', 's390x'];
const POWERPC_LIKE = ['ppc', 'ppc64', 'mips', 'mipsel'];

test('asm-generic: x64 gets exactly the seed constants, and so does every asm-generic arch', () => {
  const seed = { NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID, NS_GET_ID };
  for (const arch of GENERIC_ARCHES) assert.deepEqual(nsIoctlsFor(arch), seed, arch);
  // NS_GET_ID = _IOR(0xb7, 13, __u64): READ 2 << 30 | size 8 << 16 | 0xb7 << 8 | 13
  assert.equal(nsIoctlsFor('x64').NS_GET_ID, (2 * 2 ** 30 + (8 << 16) + (0xb7 << 8) + 13) >>> 0);
});

test('powerpc and mips: a direction bit for _IO, READ one bit lower (ppc64 NS_GET_USERNS 0x2000b701)', () => {
  // _IO: NONE 1 << 29 (DIRSHIFT = 8 + 8 + 13) | 0xb7 << 8 | nr
  // NS_GET_ID: READ 2 << 29 = 0x40000000 | size 8 << 16 = 0x80000 | 0xb70d
  const expected = {
    NS_GET_USERNS: 0x2000b701,
    NS_GET_PARENT: 0x2000b702,
    NS_GET_NSTYPE: 0x2000b703,
    NS_GET_OWNER_UID: 0x2000b704,
    NS_GET_ID: 0x4008b70d,
  };
  for (const arch of POWERPC_LIKE) assert.deepEqual(nsIoctlsFor(arch), expected, arch);
  // sparc and alpha (no Node arches) encode alike
  assert.deepEqual(nsIoctls(IOC_LAYOUTS.sparc), expected);
  assert.deepEqual(nsIoctls(IOC_LAYOUTS.alpha), expected);
});

test('parisc: asm-generic widths, READ and WRITE swapped', () => {
  // _IO: NONE 0, so as asm-generic; NS_GET_ID: READ 1 << 30 = 0x40000000 | 0x80000 | 0xb70d
  assert.deepEqual(nsIoctls(IOC_LAYOUTS.parisc), {
    NS_GET_USERNS: 0xb701,
    NS_GET_PARENT: 0xb702,
    NS_GET_NSTYPE: 0xb703,
    NS_GET_OWNER_UID: 0xb704,
    NS_GET_ID: 0x4008b70d,
  });
});

test('the WRITE direction per layout, on a well-known request (TUNSETIFF = _IOW(0x54, 202, int))', () => {
  // asm-generic: WRITE 1 << 30 | 4 << 16 | 0x54ca; powerpc/mips: WRITE 4 << 29; parisc: WRITE 2 << 30
  assert.equal(iow(iocLayoutOf('x64'), 0x54, 202, 4), 0x400454ca);
  assert.equal(iow(iocLayoutOf('ppc64'), 0x54, 202, 4), 0x800454ca);
  assert.equal(iow(iocLayoutOf('mips'), 0x54, 202, 4), 0x800454ca);
  assert.equal(iow(IOC_LAYOUTS.parisc, 0x54, 202, 4), 0x800454ca);
});

test('sizes and directions that do not fit the layout are refused, not truncated', () => {
  const generic = IOC_LAYOUTS.generic;
  const ppc = IOC_LAYOUTS.powerpc;
  // 0x2000 fits 14 size bits but not 13
  assert.equal(ioc(generic, generic.read, 0xb7, 1, 0x2000), 0xa000b701);
  assert.throws(() => ioc(ppc, ppc.read, 0xb7, 1, 0x2000), RangeError);
  assert.throws(() => ioc(generic, 4, 0xb7, 1, 0), RangeError);
  assert.throws(() => ioc(generic, 0, 0x100, 1, 0), RangeError);
  assert.throws(() => ioc(generic, 0, 0xb7, -1, 0), RangeError);
});

test('an architecture of unknown layout is refused by name, listing the known ones', () => {
  for (const arch of ['sparc64', 'mips64el', 'hppa', '']) {
    assert.throws(
      () => nsIoctlsFor(arch),
      (err: Error) =>
        !(err instanceof RangeError) &&
        err.message.includes(`'${arch}'`) &&
        err.message.includes('process.arch') &&
        err.message.includes('ppc64'),
      arch,
    );
  }
  assert.deepEqual(
    [...ARCH_IOC_LAYOUTS.keys()].sort(),
    [...GENERIC_ARCHES, ...POWERPC_LIKE].sort(),
    'every Node process.arch value has a layout',
  );
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
