/**
 * readlinkLatin1 (native-shim) against Node's own readlinkSync on real
 * links: the same text for ASCII links, the bytes one character each for
 * others, and Node-shaped errors (code, errno, syscall) where Node throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readlinkLatin1 } from '../../native-shim';

test('readlinkLatin1 reads what readlinkSync reads', (t) => {
  for (const path of [
    '/proc/self/ns/net',
    '/proc/self/ns/user',
    '/proc/self/exe',
    '/proc/self/fd/0',
  ])
    assert.equal(readlinkLatin1(path), readlinkSync(path), path);
  const dir = mkdtempSync(join(tmpdir(), 'graphns-link-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = Buffer.from('caf\u00e9/\xff', 'latin1'); // not valid UTF-8
  symlinkSync(target, join(dir, 'l'));
  assert.equal(readlinkLatin1(join(dir, 'l')), target.toString('latin1'));
});

test('readlinkLatin1 fails as Node does', () => {
  for (const path of ['/nonexistent/link', '/proc/self/stat']) {
    let node: NodeJS.ErrnoException | undefined;
    try {
      readlinkSync(path);
    } catch (err) {
      node = err as NodeJS.ErrnoException;
    }
    assert.ok(node, `readlinkSync(${path}) throws`);
    assert.throws(
      () => readlinkLatin1(path),
      (err: NodeJS.ErrnoException) =>
        err.code === node!.code && err.errno === node!.errno && err.syscall === 'readlink',
    );
  }
});
