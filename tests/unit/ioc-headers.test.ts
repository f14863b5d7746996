/**
 * The _IOC layouts against the kernel's own headers: each architecture's
 * <asm/ioctl.h> and <linux/nsfs.h> compiled by the C compiler, its numbers
 * compared with what main/relations/constants computes. Needs gcc and
 * Debian's linux-libc-dev-<arch>-cross packages (.ci/run installs them);
 * without, skips saying which, and under CI=true fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IOC_LAYOUTS, ioc, iocLayoutOf, type IocLayout } from '../../main/relations';
import { unmetNeed } from '../helpers/need';

// Header directory (Debian cross triple; '' is the host's own /usr/include),
// its Debian package, and the layout graphns uses for it.
const TARGETS: { triple: string; pkg: string; layout: IocLayout; what: string }[] = [
  { triple: '', pkg: 'linux-libc-dev', layout: iocLayoutOf('x64'), what: 'x64 (host)' },
  { triple: 'i686-linux-gnu', pkg: 'i386', layout: iocLayoutOf('ia32'), what: 'ia32' },
  { triple: 'arm-linux-gnueabihf', pkg: 'armhf', layout: iocLayoutOf('arm'), what: 'arm' },
  { triple: 'aarch64-linux-gnu', pkg: 'arm64', layout: iocLayoutOf('arm64'), what: 'arm64' },
  { triple: 'riscv64-linux-gnu', pkg: 'riscv64', layout: iocLayoutOf('riscv64'), what: 'riscv64' },
  { triple: 's390x-linux-gnu', pkg: 's390x', layout: iocLayoutOf('s390x'), what: 's390x' },
  { triple: 'powerpc-linux-gnu', pkg: 'powerpc', layout: iocLayoutOf('ppc'), what: 'ppc' },
  { triple: 'powerpc64le-linux-gnu', pkg: 'ppc64el', layout: iocLayoutOf('ppc64'), what: 'ppc64' },
  { triple: 'mips-linux-gnu', pkg: 'mips', layout: iocLayoutOf('mips'), what: 'mips' },
  { triple: 'mipsel-linux-gnu', pkg: 'mipsel', layout: iocLayoutOf('mipsel'), what: 'mipsel' },
  { triple: 'sparc64-linux-gnu', pkg: 'sparc64', layout: IOC_LAYOUTS.sparc, what: 'sparc64' },
  { triple: 'alpha-linux-gnu', pkg: 'alpha', layout: IOC_LAYOUTS.alpha, what: 'alpha' },
  { triple: 'hppa-linux-gnu', pkg: 'hppa', layout: IOC_LAYOUTS.parisc, what: 'parisc' },
];

// Each line: name, then the C expression (headers' macros) and our computation.
const CASES: { name: string; c: string; ours: (l: IocLayout) => number }[] = [
  { name: 'NS_GET_USERNS', c: 'NS_GET_USERNS', ours: (l) => ioc(l, l.none, 0xb7, 1, 0) },
  { name: 'NS_GET_PARENT', c: 'NS_GET_PARENT', ours: (l) => ioc(l, l.none, 0xb7, 2, 0) },
  { name: 'NS_GET_NSTYPE', c: 'NS_GET_NSTYPE', ours: (l) => ioc(l, l.none, 0xb7, 3, 0) },
  { name: 'NS_GET_OWNER_UID', c: 'NS_GET_OWNER_UID', ours: (l) => ioc(l, l.none, 0xb7, 4, 0) },
  // Debian 12's headers (6.1) predate NS_GET_ID: its definition from 6.18's nsfs.h
  { name: 'NS_GET_ID', c: '_IOR(NSIO, 13, __u64)', ours: (l) => ioc(l, l.read, 0xb7, 13, 8) },
  { name: '_IOW', c: '_IOW(NSIO, 0x42, int)', ours: (l) => ioc(l, l.write, 0xb7, 0x42, 4) },
  {
    name: '_IOWR',
    c: '_IOWR(NSIO, 0x43, char[0x1fff])',
    ours: (l) => ioc(l, l.read | l.write, 0xb7, 0x43, 0x1fff),
  },
];

const PROGRAM = `#include <stdio.h>
#include <linux/types.h>
#include <linux/nsfs.h>
int main(void) {
${CASES.map((c) => `  printf("%u\\n", (unsigned)(${c.c}));`).join('\n')}
  return 0;
}
`;

const gcc = spawnSync('gcc', ['--version']).status === 0;

for (const target of TARGETS) {
  const include = target.triple === '' ? '/usr/include' : `/usr/${target.triple}/include`;
  const pkg = target.triple === '' ? target.pkg : `linux-libc-dev-${target.pkg}-cross`;
  const missing = !gcc
    ? 'no gcc on PATH (apt-get install gcc libc6-dev)'
    : !existsSync(join(include, 'asm/ioctl.h')) && target.triple !== ''
      ? `no ${include}/asm/ioctl.h (apt-get install ${pkg})`
      : !existsSync(join(include, 'linux/nsfs.h'))
        ? `no ${include}/linux/nsfs.h (apt-get install ${pkg})`
        : false;
  test(`request numbers match ${target.what}'s kernel headers (${target.layout.name})`, (t) => {
    if (missing) return t.skip(unmetNeed(missing));
    const dir = mkdtempSync(join(tmpdir(), 'graphns-ioc-'));
    try {
      writeFileSync(join(dir, 'ioc.c'), PROGRAM);
      // -I puts the cross headers' asm/ and linux/ before the host's
      const flags = target.triple === '' ? [] : ['-I', include];
      execFileSync('gcc', [...flags, '-o', join(dir, 'ioc'), join(dir, 'ioc.c')]);
      const got = execFileSync(join(dir, 'ioc'), { encoding: 'utf8' }).trim().split('\n');
      assert.equal(got.length, CASES.length);
      CASES.forEach((c, i) => {
        const theirs = Number(got[i]);
        const ours = c.ours(target.layout);
        assert.equal(
          ours,
          theirs,
          `${c.name}: ours 0x${ours.toString(16)}, headers 0x${theirs.toString(16)}`,
        );
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
