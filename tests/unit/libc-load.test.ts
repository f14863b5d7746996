/**
 * Finding the C library: the order candidates are tried in, the one error
 * when none loads, and the real load on this machine. The musl claim behind
 * the single glibc soname is checked against a real musl where one exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { LIBC_CANDIDATES, loadFirst, userName, type LibCandidate } from '../../native-shim';
import { unmetNeed } from '../helpers/need';

test('candidates are tried in order and the first that loads wins', () => {
  const tried: LibCandidate[] = [];
  const got = loadFirst(['a.so', 'b.so', null], (c) => {
    tried.push(c);
    if (c === 'a.so') throw new Error('no a');
    return `lib ${String(c)}`;
  });
  assert.deepEqual(got, { lib: 'lib b.so', candidate: 'b.so' });
  assert.deepEqual(tried, ['a.so', 'b.so'], 'nothing after the winner is tried');
});

test('when none loads, one error names every candidate and its reason, in order', () => {
  assert.throws(
    () =>
      loadFirst(['libc.so.6', null], (c) => {
        throw new Error(c === null ? 'no symbol ioctl' : 'cannot open shared object file');
      }),
    (err: Error) => {
      assert.match(err.message, /^cannot load the C library \(graphns needs glibc or musl\)/);
      const a = err.message.indexOf('libc.so.6: cannot open shared object file');
      const b = err.message.indexOf("the process's own symbols (dlopen(NULL)): no symbol ioctl");
      assert.ok(a > 0 && b > a, err.message);
      return true;
    },
  );
});

test('glibc soname first, then the process itself', () => {
  assert.deepEqual(LIBC_CANDIDATES, ['libc.so.6', null]);
});

test('on this machine libc loads, both ways, with the calls the shim binds', () => {
  for (const candidate of LIBC_CANDIDATES) {
    const lib = koffi.load(candidate);
    assert.equal(typeof lib.func('ioctl', 'int', ['int', 'unsigned long']), 'function');
    assert.equal(typeof lib.func('getpwuid_r', 'int', ['uint32_t', 'void *']), 'function');
  }
  assert.equal(loadFirst(LIBC_CANDIDATES, (c) => koffi.load(c)).candidate, 'libc.so.6');
  assert.equal(userName(0), 'root'); // the shim's own lazy load, end to end
});

// musl's dynamic linker answers every libc.* name with itself (ldso/dynlink.c,
// load_library), so 'libc.so.6' needs no musl-specific name; and struct passwd
// is laid out as glibc's. Shown with a program linked against a real musl.
const muslGcc = spawnSync('musl-gcc', ['--version']).status === 0;
test("musl: dlopen('libc.so.6') is musl itself, and struct passwd matches glibc's", (t) => {
  if (!muslGcc)
    return t.skip(unmetNeed('no musl-gcc on PATH (Debian: apt-get install musl-tools)'));
  const dir = mkdtempSync(join(tmpdir(), 'graphns-musl-'));
  try {
    writeFileSync(
      join(dir, 'm.c'),
      `#include <dlfcn.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
int main(void) {
  void *h = dlopen("libc.so.6", RTLD_NOW);
  printf("%d\\n", h != NULL && dlsym(h, "ioctl") == (void *)ioctl);
  printf("%zu %zu %zu %zu %zu %zu %zu\\n", sizeof(struct passwd), offsetof(struct passwd, pw_uid),
    offsetof(struct passwd, pw_gid), offsetof(struct passwd, pw_gecos),
    offsetof(struct passwd, pw_dir), offsetof(struct passwd, pw_shell),
    offsetof(struct passwd, pw_passwd));
  return 0;
}
`,
    );
    const run = (cc: string): string[] => {
      execFileSync(cc, ['-o', join(dir, cc), join(dir, 'm.c')]);
      return execFileSync(join(dir, cc), { encoding: 'utf8' }).trim().split('\n');
    };
    const musl = run('musl-gcc');
    assert.equal(musl[0], '1', "musl's dlopen('libc.so.6') is not musl's own ioctl");
    const glibc = run('gcc');
    assert.equal(glibc[0], '1');
    assert.equal(musl[1], glibc[1], 'struct passwd layout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
