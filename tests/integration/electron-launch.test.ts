/**
 * How Electron gets started, with real processes and a stand-in for the
 * Electron binary (a Node script that reports its arguments, environment
 * and fds, and reads the graph pipe on its fd 3):
 *
 * - the built shell host (dist/shell/host.js --shell electron) starts it
 *   from electron-plan.ts: the viewer's main script first, the pipe on fd 3,
 *   no ELECTRON_RUN_AS_NODE / NODE_OPTIONS / LD_PRELOAD even when the host
 *   has them;
 * - without a privilege drop, graphns itself starts it from the same plan,
 *   on a pipe of its own;
 * - tests/helpers/electron-with-pipe.mjs, the executablePath the Electron
 *   end-to-end test gives Playwright, starts it the same way and serves
 *   the pipe as the privileged side does.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { GraphResult } from '../../main/contract';
import { serializeModel } from '../../main/model';
import { LineChannel, parseRequest } from '../../main/shell/pipe';
import { syntheticModel } from '../bench/synthetic';

const ROOT = new URL('../..', import.meta.url).pathname;
const HOST = join(ROOT, 'dist', 'shell', 'host.js');
const GRAPHNS = join(ROOT, 'dist', 'app', 'graphns.js');
const WRAPPER = join(ROOT, 'tests', 'helpers', 'electron-with-pipe.mjs');

const scratch = mkdtempSync(join(tmpdir(), 'graphns-electron-launch-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The stand-in Electron: prints one JSON line on stdout with its argv, the
 * environment variables that matter, what fds 0-3 are, and the first graph
 * read from fd 3; asks for one rediscovery (after a line the privileged
 * side must ignore) and adds the answer's id; exits 7.
 */
function fakeElectron(): string {
  const path = join(scratch, 'electron');
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require('node:fs');
const { Socket } = require('node:net');
const fd = (n) => { try { return fs.readlinkSync('/proc/self/fd/' + n); } catch { return null; } };
const report = {
  args: process.argv.slice(2),
  env: Object.fromEntries(['ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS', 'LD_PRELOAD',
    'GRAPHNS_TEST_ELECTRON', 'GRAPHNS_TEST_GRAPH', 'KEEP_ME'].map((k) => [k, process.env[k] ?? null])),
  fds: [0, 1, 2, 3].map(fd),
  ppid: process.ppid,
  graphs: [],
};
const pipe = new Socket({ fd: 3, readable: true, writable: true });
let buffer = '';
pipe.setEncoding('utf8');
pipe.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\\n')) >= 0) {
    const m = JSON.parse(buffer.slice(0, nl));
    buffer = buffer.slice(nl + 1);
    report.graphs.push({ id: m.id, title: m.result.title });
    if (m.id === 0) pipe.write('{"t":"quit"}\\n{"t":"rediscover","id":1}\\n');
    else {
      process.stdout.write(JSON.stringify(report) + '\\n');
      process.exitCode = 7;
      pipe.destroy();
    }
  }
});
`,
  );
  chmodSync(path, 0o755);
  return path;
}

interface Report {
  args: string[];
  env: Record<string, string | null>;
  fds: (string | null)[];
  ppid: number;
  graphs: { id: number; title: string }[];
}

const graph = (title: string): GraphResult => ({
  ok: true,
  dot: 'digraph { a }',
  modelJson: '{}',
  title,
  namespaces: 1,
  warnings: [],
});

function collect(child: ReturnType<typeof spawn>) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

test('the shell host starts Electron from its plan: main.cjs, the pipe on fd 3, no ELECTRON_RUN_AS_NODE', async () => {
  assert.ok(existsSync(HOST), `${HOST} is missing: run npm run build`);
  const electron = fakeElectron();
  const child = spawn(process.execPath, [HOST, '--shell', 'electron', '--program', electron], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      DISPLAY: ':97', // the stand-in needs none; without one graphns would stop before starting it
      HOME: scratch,
      // an editor's terminal, an Electron-as-Node tool: none of it may reach the window
      ELECTRON_RUN_AS_NODE: '1',
      NODE_OPTIONS: '--no-warnings',
      KEEP_ME: 'yes',
      GRAPHNS_ELECTRON_ARGS: '--ozone-platform=x11  --enable-logging',
    },
  });
  const done = collect(child);
  // the privileged side, played with its own code
  const requests: number[] = [];
  const pipe = child.stdio[3] as Duplex;
  const ours = readlinkSync(`/proc/${child.pid}/fd/3`);
  const channel = new LineChannel(pipe, (line) => {
    const r = parseRequest(line);
    if (!r) return;
    requests.push(r.id);
    channel.send({ t: 'graph', id: r.id, result: graph(`again ${r.id}`) });
  });
  channel.send({ t: 'graph', id: 0, result: graph('first') });
  const r = await done;
  assert.equal(r.code, 7, `the window's exit code is the host's: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.args, [
    join(ROOT, 'dist', 'shell', 'electron', 'main.cjs'),
    '--ozone-platform=x11',
    '--enable-logging',
    ...(process.geteuid?.() === 0 ? ['--no-sandbox'] : []),
  ]);
  assert.deepEqual(report.env, {
    ELECTRON_RUN_AS_NODE: null,
    NODE_OPTIONS: null,
    LD_PRELOAD: null,
    GRAPHNS_TEST_ELECTRON: null,
    GRAPHNS_TEST_GRAPH: null,
    KEEP_ME: 'yes',
  });
  assert.equal(report.fds[0], '/dev/null');
  assert.equal(report.fds[3], ours, "Electron's fd 3 is the host's fd 3, the privileged pipe");
  assert.deepEqual(report.graphs, [
    { id: 0, title: 'first' },
    { id: 1, title: 'again 1' },
  ]);
  assert.deepEqual(requests, [1]);
});

test('without a privilege drop graphns starts Electron itself, from the same plan, and serves its pipe', async () => {
  fakeElectron(); // scratch/electron, where ELECTRON_OVERRIDE_DIST_PATH points
  const snapshot = join(scratch, 'snap.json');
  writeFileSync(snapshot, serializeModel(syntheticModel(20)));
  const child = spawn(process.execPath, [GRAPHNS, '--shell', 'electron', '--open', snapshot], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      DISPLAY: ':97', // the stand-in needs none; without one graphns would stop before starting it
      HOME: scratch,
      ELECTRON_OVERRIDE_DIST_PATH: scratch,
      ELECTRON_RUN_AS_NODE: '1',
      NODE_OPTIONS: '--no-warnings',
      KEEP_ME: 'yes',
    },
  });
  const r = await collect(child);
  assert.equal(r.code, 7, `the window's exit code is graphns's: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.ppid, child.pid, 'no shell host between graphns and Electron');
  assert.equal(report.args[0], join(ROOT, 'dist', 'shell', 'electron', 'main.cjs'));
  assert.deepEqual(
    [report.env.ELECTRON_RUN_AS_NODE, report.env.NODE_OPTIONS, report.env.KEEP_ME],
    [null, null, 'yes'],
  );
  assert.equal(report.fds[0], '/dev/null');
  assert.match(report.fds[3] ?? '', /^socket:\[\d+\]$/, 'the graph pipe on fd 3');
  // the snapshot's graph first, then the answer to the rediscovery (a fresh read)
  assert.deepEqual(report.graphs, [
    { id: 0, title: 'graphns — synthetic-20' },
    { id: 1, title: 'graphns — synthetic-20' },
  ]);
});

test('electron-with-pipe.mjs starts the binary with its arguments and serves the pipe like the privileged side', async () => {
  const electron = fakeElectron();
  const graphFile = join(scratch, 'graph.json');
  writeFileSync(graphFile, JSON.stringify(graph('from the wrapper')));
  // as Playwright's _electron.launch starts its executablePath
  const args = ['--inspect=0', '--remote-debugging-port=0', '/some/main.cjs', '--no-sandbox'];
  const child = spawn(WRAPPER, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      DISPLAY: ':97', // the stand-in needs none; without one graphns would stop before starting it
      GRAPHNS_TEST_ELECTRON: electron,
      GRAPHNS_TEST_GRAPH: graphFile,
      ELECTRON_RUN_AS_NODE: '1',
      KEEP_ME: 'yes',
    },
  });
  const r = await collect(child);
  assert.equal(r.code, 7, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.args, args);
  assert.equal(report.env.GRAPHNS_TEST_ELECTRON, null);
  assert.equal(report.env.GRAPHNS_TEST_GRAPH, null);
  assert.equal(report.env.ELECTRON_RUN_AS_NODE, null);
  assert.equal(report.env.KEEP_ME, 'yes');
  assert.match(report.fds[3] ?? '', /^(pipe|socket):\[\d+\]$/);
  assert.deepEqual(report.graphs, [
    { id: 0, title: 'from the wrapper' },
    { id: 1, title: 'from the wrapper' },
  ]);
  assert.match(r.stderr, /ignored \{"t":"quit"\}/, 'anything but rediscover is ignored');
});
