/**
 * main/files against the real things: devices, a fifo with no writer, a
 * listening unix socket, sparse files, a file another user cannot read,
 * symbolic links planted by another user in a sticky world-writable
 * directory. Reads that a bug would turn into a hang run in a child
 * process with a timeout (HANG_MS: only a hang reaches it, never a slow
 * machine), so a regression fails instead of freezing the run. That a big
 * file is refused unread shows in its access time, not in how long it took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkReplaceTarget,
  FileReadError,
  FileWriteError,
  readRegularFile,
  writeFileAtomic,
} from '../../main/files';
import {
  checkOutputTarget,
  OutputFileError,
  writeFileAtomic as layoutWrite,
} from '../../main/layout/file';
import { readBounds, writeBounds } from '../../main/shell/bounds';
import { HANG_MS, isRoot, unmetNeed } from '../helpers/need';
import { readBy } from '../helpers/reads';

const root = new URL('../..', import.meta.url).pathname;
const readModule = join(root, 'main/files/read.ts');

function scratch(mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), 'graphns-files-'));
  chmodSync(d, mode);
  return d;
}

/** The FileReadError message readRegularFile(path, max) gives, or undefined when it reads. */
function readError(path: string, max: number): string | undefined {
  try {
    readRegularFile(path, max);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof FileReadError, `not a FileReadError: ${String(err)}`);
    assert.equal(err.name, 'FileReadError');
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
}

/**
 * Run `body` (JavaScript with the module at `modulePath` as `m`) in a fresh
 * Node, optionally through setpriv as another user, killed when hung (HANG_MS).
 */
function inChild(modulePath: string, body: string, asUser: string[] = []) {
  const code = `import(${JSON.stringify(modulePath)}).then((m) => { ${body} });`;
  const node = [process.execPath, '--import', 'tsx', '-e', code];
  const [cmd, ...args] = asUser.length ? ['setpriv', ...asUser, ...node] : node;
  const t0 = Date.now();
  const r = spawnSync(cmd!, args, { cwd: root, encoding: 'utf8', timeout: HANG_MS });
  return { out: r.stdout.trim(), err: r.stderr, signal: r.signal, ms: Date.now() - t0 };
}

/** readRegularFile in a child: prints "read N" for the bytes read, or the error's name and message. */
function readInChild(path: string, max: number, asUser: string[] = []) {
  return inChild(
    readModule,
    `try { console.log('read ' + m.readRegularFile(${JSON.stringify(path)}, ${max}).length); }` +
      `catch (e) { console.log(e.name + ': ' + e.message); }`,
    asUser,
  );
}

test('devices are refused without reading them (a bug would read /dev/zero forever)', () => {
  for (const dev of ['/dev/zero', '/dev/full', '/dev/null']) {
    const r = readInChild(dev, 1 << 20);
    assert.equal(r.signal, null, `${dev}: killed after ${r.ms} ms (hung)`);
    assert.equal(
      r.out,
      `FileReadError: cannot read ${dev}: not a regular file (a character device)`,
    );
  }
});

test('a fifo with no writer is refused at once, never waited on', () => {
  const d = scratch();
  try {
    const fifo = join(d, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const r = readInChild(fifo, 1 << 20);
    assert.equal(r.signal, null, `killed after ${r.ms} ms (blocked on the fifo)`);
    assert.equal(r.out, `FileReadError: cannot read ${fifo}: not a regular file (a fifo)`);
    // and in this process too (the child above showed it does not block)
    assert.match(readError(fifo, 100) ?? '', /not a regular file \(a fifo\)$/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a symbolic link is followed: to /dev/zero refused, to a regular file read', () => {
  const d = scratch();
  try {
    symlinkSync('/dev/zero', join(d, 'zero.json'));
    const r = readInChild(join(d, 'zero.json'), 1 << 20);
    assert.equal(r.signal, null, `killed after ${r.ms} ms (hung)`);
    assert.match(r.out, /zero\.json: not a regular file \(a character device\)$/);
    writeFileSync(join(d, 'real.json'), '{"a":1}');
    symlinkSync('real.json', join(d, 'link.json'));
    assert.equal(readRegularFile(join(d, 'link.json'), 100).toString(), '{"a":1}');
    symlinkSync('nowhere', join(d, 'dangling'));
    assert.match(
      readError(join(d, 'dangling'), 100) ?? '',
      /dangling: no such file or directory \(ENOENT\)$/,
    );
    symlinkSync('loop', join(d, 'loop'));
    assert.match(readError(join(d, 'loop'), 100) ?? '', /too many symbolic links \(ELOOP\)$/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a directory and a listening unix socket are refused', async () => {
  const d = scratch();
  const sock = join(d, 'sock');
  const server = createServer();
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(sock, ok));
    assert.equal(readError(d, 100), `cannot read ${d}: not a regular file (a directory)`);
    assert.equal(readError(sock, 100), `cannot read ${sock}: not a regular file (a socket)`);
    assert.match(
      readError(join(d, 'missing.json'), 100) ?? '',
      /missing\.json: no such file or directory \(ENOENT\)$/,
    );
    writeFileSync(join(d, 'file'), 'x');
    assert.match(
      readError(join(d, 'file', 'below'), 100) ?? '',
      /a path component is not a directory \(ENOTDIR\)$/,
    );
  } finally {
    await new Promise((ok) => server.close(ok));
    rmSync(d, { recursive: true, force: true });
  }
});

test('the cap: exactly the limit is read, one byte more or a sparse giant is refused', (t) => {
  const d = scratch();
  try {
    const exact = join(d, 'exact');
    writeFileSync(exact, Buffer.alloc(1000, 'a'));
    assert.equal(readRegularFile(exact, 1000).length, 1000);
    assert.equal(readError(exact, 999), `cannot read ${exact}: larger than 999 bytes`);
    const empty = join(d, 'empty');
    writeFileSync(empty, '');
    assert.equal(readRegularFile(empty, 0).length, 0);
    assert.equal(readRegularFile(exact, 1 << 20).toString(), 'a'.repeat(1000));
    const sparse = join(d, 'sparse');
    writeFileSync(sparse, '');
    assert.equal(spawnSync('truncate', ['-s', '10G', sparse]).status, 0, 'truncate -s');
    const { result, read } = readBy(sparse, () => readError(sparse, 256 << 20));
    assert.equal(result, `cannot read ${sparse}: larger than 256 MiB`);
    if (read === 'unknown') t.diagnostic(`${sparse}: this mount keeps no access times`);
    else assert.equal(read, false, 'refused from st_size, not by reading');
    truncateSync(sparse, (64 << 10) + 1);
    assert.equal(readError(sparse, 64 << 10), `cannot read ${sparse}: larger than 64 KiB`);
    assert.throws(() => readRegularFile(exact, -1), RangeError);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('files of procfs and sysfs are never read, whatever link leads there; other size-0 files are', () => {
  const d = scratch();
  try {
    // /proc/kmsg: reading it as root would consume the kernel log's unread queue
    symlinkSync('/proc/kmsg', join(d, 'state.json'));
    symlinkSync('/proc/self/status', join(d, 'status.json'));
    symlinkSync('/sys/kernel/uevent_seqnum', join(d, 'sys.json'));
    assert.equal(
      readError(join(d, 'state.json'), 1 << 20),
      `cannot read ${join(d, 'state.json')}: a file of the kernel's procfs, not data`,
    );
    assert.equal(
      readError('/proc/self/status', 1 << 20),
      "cannot read /proc/self/status: a file of the kernel's procfs, not data",
    );
    assert.match(readError(join(d, 'status.json'), 1 << 20) ?? '', /procfs, not data$/);
    assert.match(readError(join(d, 'sys.json'), 1 << 20) ?? '', /sysfs, not data$/);
    // a regular file that grows past its st_size while read is still capped by the bytes read
    writeFileSync(join(d, 'data.json'), '{}');
    assert.equal(readRegularFile(join(d, 'data.json'), 2).toString(), '{}');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test(
  'a link to /proc/kmsg is refused before a byte is read: the kernel log keeps its unread records',
  { skip: unmetNeed(!isRoot && 'needs root to read /proc/kmsg') },
  () => {
    const d = scratch();
    const kmsg = join(d, 'kmsg.json');
    symlinkSync('/proc/kmsg', kmsg);
    // /dev/kmsg readers see every record; a record written now is unread in /proc/kmsg's queue
    const mark = `graphns-test-${process.pid}-${Date.now()}`;
    try {
      writeFileSync('/dev/kmsg', `${mark}\n`);
      assert.match(readError(kmsg, 1 << 20) ?? '', /procfs, not data$/);
      // what the refusal left: the record is still there for /proc/kmsg's real reader
      const r = spawnSync(
        'sh',
        [
          '-c',
          // nonblock: dd stops when the queue is empty; `timeout` only ends a hang
          `timeout ${HANG_MS / 1000} dd if=/proc/kmsg bs=64k count=64 iflag=nonblock 2>/dev/null | grep -c ${mark}`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.stdout.trim(), '1', 'the record is still unread in /proc/kmsg');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);

test(
  'a file another user cannot read: permission denied, one line',
  { skip: unmetNeed(!isRoot && 'needs root to switch to uid 65534') },
  () => {
    const d = scratch(0o755);
    try {
      const secret = join(d, 'secret.json');
      writeFileSync(secret, '{}', { mode: 0o600 });
      const r = readInChild(secret, 100, ['--reuid=65534', '--regid=65534', '--clear-groups']);
      assert.equal(r.signal, null);
      assert.equal(
        r.out,
        `FileReadError: cannot read ${secret}: permission denied (EACCES)`,
        r.err,
      );
      mkdirSync(join(d, 'closed'), { mode: 0o700 });
      const r2 = readInChild(join(d, 'closed', 'x'), 100, [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
      ]);
      assert.match(r2.out, /closed\/x: permission denied \(EACCES\)$/, r2.err);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);

// ---- writing ----

const writeModule = join(root, 'main/files/write.ts');
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** The FileWriteError message of `fn`, asserting it is one line. */
function writeError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FileWriteError, `not a FileWriteError: ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail('no error');
}

test("'replace': new file, kept mode and owner, a link to a file stays a link", () => {
  const d = scratch();
  try {
    const f = join(d, 'g.svg');
    assert.equal(writeFileAtomic(f, 'one', { policy: 'replace', mode: 0o600 }), f);
    assert.equal(readFileSync(f, 'utf8'), 'one');
    assert.equal(statSync(f).mode & 0o777, 0o600 & ~process.umask());
    chmodSync(f, 0o640);
    if (isRoot) chownSync(f, 65534, 65534);
    writeFileAtomic(f, 'two', { policy: 'replace' });
    assert.equal(readFileSync(f, 'utf8'), 'two');
    assert.equal(statSync(f).mode & 0o7777, 0o640);
    if (isRoot) assert.equal(statSync(f).uid, 65534, 'root keeps the owner');
    symlinkSync('g.svg', join(d, 'link.svg'));
    assert.equal(
      writeFileAtomic(join(d, 'link.svg'), 'three', { policy: 'replace' }),
      join(d, 'link.svg'),
    );
    assert.ok(lstatSync(join(d, 'link.svg')).isSymbolicLink(), 'still a link');
    assert.equal(readFileSync(f, 'utf8'), 'three');
    assert.deepEqual(readdirSync(d).sort(), ['g.svg', 'link.svg'], 'no temporary file left');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("'replace' refuses what is not a regular file, and leaves nothing behind", async () => {
  const d = scratch();
  const server = createServer();
  try {
    mkdirSync(join(d, 'adir.svg'));
    assert.equal(spawnSync('mkfifo', [join(d, 'fifo.svg')]).status, 0);
    await new Promise<void>((ok, fail) =>
      server.once('error', fail).listen(join(d, 'sock.svg'), ok),
    );
    symlinkSync('/dev/null', join(d, 'null.svg'));
    symlinkSync('fifo.svg', join(d, 'tofifo.svg'));
    symlinkSync('nowhere', join(d, 'dangling.svg'));
    const before = readdirSync(d).sort();
    for (const [name, why] of [
      ['adir.svg', 'it is a directory'],
      ['fifo.svg', 'it is a fifo'],
      ['sock.svg', 'it is a socket'],
      ['null.svg', 'it is a character device'],
      ['tofifo.svg', 'it is a fifo'],
    ]) {
      const p = join(d, name!);
      assert.equal(
        writeError(() => writeFileAtomic(p, 'x', { policy: 'replace' })),
        `refusing to overwrite ${p}: ${why}`,
      );
      assert.throws(() => checkReplaceTarget(p), FileWriteError);
    }
    const dangling = join(d, 'dangling.svg');
    assert.equal(
      writeError(() => writeFileAtomic(dangling, 'x', { policy: 'replace' })),
      `cannot write ${dangling}: a symbolic link to nothing`,
    );
    const deep = join(d, 'no', 'such', 'x.svg');
    assert.equal(
      writeError(() => writeFileAtomic(deep, 'x', { policy: 'replace' })),
      `cannot write ${deep}: no such directory (ENOENT)`,
    );
    assert.deepEqual(readdirSync(d).sort(), before);
    assert.deepEqual(readdirSync(join(d, 'adir.svg')), []);
  } finally {
    await new Promise((ok) => server.close(ok));
    rmSync(d, { recursive: true, force: true });
  }
});

test("'never-replace': x.svg, x-2.svg, ...; nothing replaced, no link followed", () => {
  const d = scratch();
  const outside = scratch();
  try {
    const x = join(d, 'x.svg');
    assert.equal(writeFileAtomic(x, 'a', { policy: 'never-replace' }), x);
    assert.equal(writeFileAtomic(x, 'b', { policy: 'never-replace' }), join(d, 'x-2.svg'));
    // a dangling link at the next name is a taken name, never a way out of the directory
    symlinkSync(join(outside, 'planted.svg'), join(d, 'x-3.svg'));
    assert.equal(
      writeFileAtomic(x, 'c', { policy: 'never-replace', mode: 0o640 }),
      join(d, 'x-4.svg'),
    );
    assert.deepEqual(readdirSync(outside), []);
    assert.equal(readFileSync(x, 'utf8'), 'a');
    assert.equal(readFileSync(join(d, 'x-2.svg'), 'utf8'), 'b');
    assert.equal(statSync(join(d, 'x-4.svg')).mode & 0o777, 0o640 & ~process.umask());
    assert.deepEqual(readdirSync(d).sort(), ['x-2.svg', 'x-3.svg', 'x-4.svg', 'x.svg']);
    const n = join(d, 'n');
    mkdirSync(n);
    writeFileSync(join(n, 'y'), '');
    for (let i = 2; i <= 999; i++) writeFileSync(join(n, `y-${i}`), '');
    assert.equal(
      writeError(() => writeFileAtomic(join(n, 'y'), 'z', { policy: 'never-replace' })),
      `cannot write ${join(n, 'y')}: no free name up to y-999`,
    );
    assert.equal(readdirSync(n).length, 999, 'no temporary file left');
    const missing = join(d, 'gone', 'x.svg');
    assert.match(
      writeError(() => writeFileAtomic(missing, 'z', { policy: 'never-replace' })),
      /gone\/x\.svg: no such directory \(ENOENT\)$/,
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test(
  'a write that fails half way (a full disk) removes its temporary file',
  { skip: unmetNeed(!isRoot && 'needs root to mount a small tmpfs') },
  () => {
    const d = scratch();
    try {
      const body =
        `const fs = require('node:fs'); const big = Buffer.alloc(1 << 20, 120);` +
        `for (const policy of ['replace', 'never-replace']) {` +
        `try { m.writeFileAtomic(${JSON.stringify(join(d, 'x.svg'))}, big, { policy }); console.log('written'); }` +
        `catch (e) { console.log(e.name + ': ' + e.message); } }` +
        `console.log(JSON.stringify(fs.readdirSync(${JSON.stringify(d)})));`;
      const code = `import(${JSON.stringify(writeModule)}).then((m) => { ${body} });`;
      const r = spawnSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount -t tmpfs -o size=64k none "$0" && exec "$@"',
          d,
          process.execPath,
          '--import',
          'tsx',
          '-e',
          code,
        ],
        { cwd: root, encoding: 'utf8', timeout: HANG_MS },
      );
      assert.equal(r.status, 0, r.stderr);
      const x = join(d, 'x.svg');
      assert.deepEqual(r.stdout.trim().split('\n'), [
        `FileWriteError: cannot write ${x}: no space left on device (ENOSPC)`,
        `FileWriteError: cannot write ${x}: no space left on device (ENOSPC)`,
        '[]',
      ]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);

// ---- the protected_symlinks rule ----

/** `ln -s target link` run as uid 65534 (nobody). */
function lnAsNobody(target: string, link: string): void {
  const r = spawnSync('setpriv', [...NOBODY, 'ln', '-s', target, link], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ln -s as nobody: ${r.stderr}`);
}

/**
 * A sticky world-writable directory under /tmp (like /tmp itself), a
 * root-owned victim file outside it, and `run` given both; removed after.
 */
function withStickyDir(run: (sticky: string, victim: string, victimDir: string) => void): void {
  const sticky = scratch(0o1777);
  const victimDir = scratch(0o755);
  try {
    const victim = join(victimDir, 'victim.conf');
    writeFileSync(victim, 'precious\n', { mode: 0o644 });
    run(sticky, victim, victimDir);
  } finally {
    rmSync(sticky, { recursive: true, force: true });
    rmSync(victimDir, { recursive: true, force: true });
  }
}

const needsRoot = unmetNeed(
  !isRoot && 'needs root: the links are planted as uid 65534, the writer must be someone else',
);

test(
  'a link another user planted in a sticky world-writable directory is not followed',
  { skip: needsRoot },
  () => {
    withStickyDir((sticky, victim, victimDir) => {
      const x = join(sticky, 'x.svg');
      lnAsNobody(victim, x);
      const refused = `refusing to follow ${x}: a symbolic link in a sticky world-writable directory, owned by uid 65534 (not this process, not the directory's owner)`;
      assert.equal(
        writeError(() => writeFileAtomic(x, '<svg/>', { policy: 'replace' })),
        refused,
      );
      assert.equal(
        writeError(() => checkReplaceTarget(x)),
        refused,
      );
      // and through the layout wrappers graphns --output uses
      assert.throws(
        () => layoutWrite(x, '<svg/>'),
        (e: Error) =>
          e instanceof OutputFileError && e.name === 'OutputFileError' && e.message === refused,
      );
      assert.throws(() => checkOutputTarget(x), OutputFileError);
      // a planted link as a directory component is refused too: no new file lands in the victim's directory
      lnAsNobody(victimDir, join(sticky, 'sub'));
      const viaDir = join(sticky, 'sub', 'new.svg');
      assert.match(
        writeError(() => writeFileAtomic(viaDir, 'x', { policy: 'replace' })),
        /^refusing to follow .*\/sub: a symbolic link in a sticky/,
      );
      assert.match(
        writeError(() => writeFileAtomic(viaDir, 'x', { policy: 'never-replace' })),
        /^refusing to follow .*\/sub: a symbolic link in a sticky/,
      );
      // a chain: our own link in the sticky dir leading to the planted one
      symlinkSync('x.svg', join(sticky, 'mine.svg'));
      assert.match(
        writeError(() => writeFileAtomic(join(sticky, 'mine.svg'), 'x', { policy: 'replace' })),
        /^refusing to follow .*\/x\.svg: /,
      );
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
      assert.deepEqual(readdirSync(victimDir), ['victim.conf']);
      assert.deepEqual(
        readdirSync(sticky).sort(),
        ['mine.svg', 'sub', 'x.svg'],
        'no temporary file left',
      );
    });
  },
);

test(
  "links the rule allows are still followed: ours, the directory owner's, or outside a sticky directory",
  { skip: needsRoot },
  () => {
    withStickyDir((sticky, victim) => {
      // root's own link in the sticky directory
      symlinkSync(victim, join(sticky, 'root.svg'));
      writeFileAtomic(join(sticky, 'root.svg'), 'by root\n', { policy: 'replace' });
      assert.equal(readFileSync(victim, 'utf8'), 'by root\n');
      assert.ok(lstatSync(join(sticky, 'root.svg')).isSymbolicLink());
    });
    withStickyDir((sticky, victim) => {
      // the directory's owner's link: the owner could replace any entry anyway
      chownSync(sticky, 65534, 65534);
      lnAsNobody(victim, join(sticky, 'owner.svg'));
      writeFileAtomic(join(sticky, 'owner.svg'), 'by owner rule\n', { policy: 'replace' });
      assert.equal(readFileSync(victim, 'utf8'), 'by owner rule\n');
    });
    withStickyDir((_sticky, victim) => {
      // world-writable but not sticky, and sticky but not world-writable: the rule does not apply
      for (const mode of [0o777, 0o1770]) {
        const open = scratch(0o777);
        try {
          lnAsNobody(victim, join(open, 'x.svg'));
          chmodSync(open, mode);
          writeFileAtomic(join(open, 'x.svg'), `mode ${mode.toString(8)}\n`, { policy: 'replace' });
          assert.equal(readFileSync(victim, 'utf8'), `mode ${mode.toString(8)}\n`);
        } finally {
          rmSync(open, { recursive: true, force: true });
        }
      }
    });
  },
);

test(
  'graphns -o refuses a planted link in a sticky directory: exit 1, one line, victim unchanged',
  { skip: needsRoot },
  () => {
    const graphns = join(root, 'dist', 'app', 'graphns.js');
    assert.ok(existsSync(graphns), `${graphns} is missing: run npm run build first`);
    withStickyDir((sticky, victim, victimDir) => {
      const snap = join(victimDir, 'snap.json');
      const j = spawnSync(process.execPath, [graphns, '-J'], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      assert.equal(j.status, 0, j.stderr);
      writeFileSync(snap, j.stdout);
      const x = join(sticky, 'x.svg');
      lnAsNobody(victim, x);
      const r = spawnSync(process.execPath, [graphns, '--open', snap, '-o', x], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr.trim(),
        new RegExp(
          `^graphns: refusing to follow ${x}: a symbolic link in a sticky world-writable directory, owned by uid 65534`,
        ),
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
      assert.deepEqual(readdirSync(sticky), ['x.svg']);
      // the same command through root's own link writes the drawing
      symlinkSync(victim, join(sticky, 'ok.svg'));
      const ok = spawnSync(
        process.execPath,
        [graphns, '--open', snap, '-o', join(sticky, 'ok.svg')],
        { encoding: 'utf8' },
      );
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(readFileSync(victim, 'utf8'), /<svg/);
    });
  },
);

// ---- window.json ----

test('window.json: a fifo, /dev/zero, an oversized or broken file mean default bounds, at once', (t) => {
  const d = scratch();
  const boundsModule = join(root, 'main/shell/bounds.ts');
  try {
    const good = join(d, 'good.json');
    writeBounds(good, { x: 10, y: 20, width: 800, height: 600 });
    assert.deepEqual(readBounds(good), { x: 10, y: 20, width: 800, height: 600 });
    assert.deepEqual(
      readdirSync(d),
      ['good.json'],
      'written through the atomic writer, no temp left',
    );
    const fifo = join(d, 'fifo.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    symlinkSync('/dev/zero', join(d, 'zero.json'));
    const big = join(d, 'big.json');
    writeFileSync(
      big,
      `${JSON.stringify({ x: 1, y: 2, width: 800, height: 600 })}${' '.repeat(64 << 10)}`,
    );
    const sparse = join(d, 'sparse.json');
    writeFileSync(sparse, '');
    truncateSync(sparse, 4 * 2 ** 30); // (4 << 30 is 0: a 32-bit shift)
    writeFileSync(join(d, 'garbage.json'), '{"x": 1, "y"');
    writeFileSync(join(d, 'binary.json'), Buffer.from([0xff, 0xfe, 0, 1, 2]));
    for (const name of [
      'fifo.json',
      'zero.json',
      'big.json',
      'sparse.json',
      'garbage.json',
      'binary.json',
      'missing.json',
    ]) {
      const path = join(d, name);
      const bounds = () =>
        inChild(
          boundsModule,
          `console.log(JSON.stringify(m.readBounds(${JSON.stringify(path)}) ?? null));`,
        );
      // the oversized ones are refused from their size, not read
      const oversized = name === 'big.json' || name === 'sparse.json';
      const { result: r, read } = oversized
        ? readBy(path, bounds)
        : { result: bounds(), read: false };
      assert.equal(r.signal, null, `${name}: killed after ${r.ms} ms (hung)`);
      assert.equal(r.out, 'null', `${name}: ${r.err}`);
      if (read === 'unknown') t.diagnostic(`${name}: this mount keeps no access times`);
      else assert.equal(read, false, `${name} was read`);
    }
    // and writing over a fifo there is skipped quietly, the fifo untouched
    writeBounds(fifo, { x: 1, y: 2, width: 800, height: 600 });
    assert.ok(lstatSync(fifo).isFIFO());
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
