#!/usr/bin/env node
// Starts an Electron binary the way the shell host does, for tests that
// launch it through something else (Playwright's _electron.launch takes
// this file as its executablePath): the given arguments, fds 0-2
// inherited, and on fd 3 a pipe served here exactly as graphns's
// privileged side serves it: the graph as message id 0, then one graph
// answer for each well-formed `{"t":"rediscover","id":N}`.
//
//   GRAPHNS_TEST_ELECTRON=<binary> GRAPHNS_TEST_GRAPH=<GraphResult JSON file> \
//     electron-with-pipe.mjs <args for Electron...>
//
// Both variables are removed before the binary starts (and
// ELECTRON_RUN_AS_NODE, as the host removes it). Exits with the binary's
// exit code; SIGINT, SIGTERM and SIGHUP are passed on to it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

const program = process.env.GRAPHNS_TEST_ELECTRON;
const graphFile = process.env.GRAPHNS_TEST_GRAPH;
if (!program || !graphFile) {
  process.stderr.write('electron-with-pipe: set GRAPHNS_TEST_ELECTRON and GRAPHNS_TEST_GRAPH\n');
  process.exitCode = 2;
} else {
  const result = JSON.parse(readFileSync(graphFile, 'utf8'));
  const env = { ...process.env };
  for (const k of ['GRAPHNS_TEST_ELECTRON', 'GRAPHNS_TEST_GRAPH', 'ELECTRON_RUN_AS_NODE']) {
    delete env[k];
  }
  const child = spawn(program, process.argv.slice(2), {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env,
  });
  const pipe = child.stdio[3];
  const send = (id) => {
    if (!pipe.destroyed) pipe.write(`${JSON.stringify({ t: 'graph', id, result })}\n`);
  };
  let buffer = '';
  pipe.setEncoding('utf8');
  pipe.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      // the privileged side's rule (main/shell/pipe.ts parseRequest): this shape only
      const m = /^\{"t":"rediscover","id":([1-9][0-9]{0,15})\}$/.exec(line);
      if (m) send(Number(m[1]));
      else if (line) process.stderr.write(`electron-with-pipe: ignored ${line.slice(0, 80)}\n`);
    }
  });
  pipe.on('error', () => undefined); // the window went away first
  send(0);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.once('error', (err) => {
    process.stderr.write(`electron-with-pipe: cannot start ${program}: ${err.message}\n`);
    process.exitCode = 127;
  });
  child.once('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
    pipe.destroy();
  });
}
