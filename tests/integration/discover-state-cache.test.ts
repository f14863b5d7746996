/**
 * Engine state files across rescans (liveContext's `texts`): a file is
 * reused only while stat() shows the same device, inode, size, mtime and
 * ctime, and only when it had settled (ctime over a second old) when it
 * was read. Real files in a temporary root; ctime is the kernel's, which
 * nobody can set back, so every change below really happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveContext, type TextCache } from '../../main/discover/containers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scan's readText of `path`, given what the last scan left; returns the text and what it leaves. */
function scan(root: string, path: string, previous?: TextCache) {
  const next: TextCache = new Map();
  const warnings: string[] = [];
  const ctx = liveContext({ root, warn: (m) => warnings.push(m), texts: { previous, next } });
  return { text: ctx.readText(path), next, warnings };
}

test('a settled state file is reused while its identity holds, read again when it changes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'graphns-state-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'state.json');
  writeFileSync(file, '{"name":"one"}');

  // written just now: read, but not kept (a write in the same timestamp tick could hide)
  const fresh = scan(root, '/state.json');
  assert.equal(fresh.text, '{"name":"one"}');
  assert.equal(fresh.next.size, 0);

  await sleep(1100);
  const first = scan(root, '/state.json');
  assert.equal(first.text, '{"name":"one"}');
  assert.equal(first.next.size, 1, 'settled: kept for the next scan');

  // a hit comes from the cache: plant another text under the same identity and get it back
  const planted: TextCache = new Map(
    [...first.next].map(([k, v]) => [k, { ...v, text: 'from the cache' }]),
  );
  assert.equal(scan(root, '/state.json', planted).text, 'from the cache');
  assert.equal(scan(root, '/state.json', first.next).text, '{"name":"one"}');

  // same size, mtime put back to the nanosecond (touch -r): ctime still moves, so the new text is read
  const times = join(root, 'times');
  writeFileSync(times, '');
  execFileSync('touch', ['-r', file, times]);
  const mtime = statSync(file, { bigint: true }).mtimeNs;
  writeFileSync(file, '{"name":"two"}');
  execFileSync('touch', ['-r', times, file]);
  assert.equal(statSync(file, { bigint: true }).mtimeNs, mtime);
  const second = scan(root, '/state.json', planted);
  assert.equal(second.text, '{"name":"two"}');
  assert.equal(second.next.size, 0, 'changed less than a second ago: not kept');

  // replaced by rename (another inode), even with every time equal
  await sleep(1100);
  const third = scan(root, '/state.json');
  assert.equal(third.next.size, 1);
  const other = join(root, 'new.json');
  writeFileSync(other, '{"name":"six"}');
  execFileSync('touch', ['-r', times, other]);
  renameSync(other, file);
  assert.equal(scan(root, '/state.json', third.next).text, '{"name":"six"}');

  // gone: nothing reused, no warning (an engine not running)
  rmSync(file);
  const gone = scan(root, '/state.json', third.next);
  assert.equal(gone.text, undefined);
  assert.deepEqual(gone.warnings, []);
});
