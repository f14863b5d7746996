/**
 * The shell host: the process that shows the window. The graphns process
 * (privileged when run with sudo) spawns it with a pipe on fd 3; under sudo
 * it is started as root and drops to the invoking user (privilege.ts)
 * before doing anything else. Then it runs one shell:
 *
 *   --shell browser --program <chromium>   the loopback server and an app window
 *   --shell electron --program <electron>  Electron (electron-plan.ts), handing it fd 3
 *
 * Its exit code is graphns's.
 */
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBrowserShell } from './browser/run';
import { displayProblem, isHeadless } from './display';
import { electronPlan, PIPE_FD } from './electron-plan';
import { fdBroker } from './host-broker';
import { spawnPlan } from './plan';
import { dropPrivileges, parseDrop, userEnv, type Credentials } from './privilege';

/**
 * Become the window's user (`--drop uid:gid`) before anything else, with
 * their environment: only the session's variables, HOME and the like from
 * their passwd entry, and their home as the working directory.
 */
function becomeUser(drop: string): void {
  dropPrivileges(parseDrop(drop), process as unknown as Credentials);
  const env = userEnv(process.env, userInfo());
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  process.chdir(userInfo().homedir);
}

/**
 * Run Electron (electron-plan.ts: it gets fd 3) until it exits, passing
 * on the signals that end the viewer; its exit code is ours. A display
 * this user cannot reach is an error before it starts.
 */
function runElectron(program: string, here: string): Promise<number> {
  const problem = displayProblem(process.env, {
    headless: isHeadless(process.env.GRAPHNS_ELECTRON_ARGS),
    readAuth: true,
  });
  if (problem) {
    process.stderr.write(`graphns: ${problem}\n`);
    return Promise.resolve(1);
  }
  const child = spawnPlan(
    electronPlan({
      program,
      mainScript: join(here, 'electron', 'main.cjs'),
      env: process.env,
      asRoot: process.geteuid?.() === 0,
    }),
  );
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => child.kill(sig));
  }
  return new Promise((resolve) => {
    child.once('error', (err) => {
      process.stderr.write(`graphns: cannot start ${program}: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      shell: { type: 'string' },
      program: { type: 'string' },
      drop: { type: 'string' },
    },
    strict: true,
  });
  if (values.drop) becomeUser(values.drop);
  const program = values.program;
  if (!program) throw new Error('no --program');
  const here = dirname(fileURLToPath(import.meta.url));
  // as the user who shows the window: can they reach the display? (each shell checks)
  if (values.shell === 'electron') return runElectron(program, here);
  if (values.shell === 'browser') {
    return runBrowserShell({
      browser: program,
      // beside dist/shell; in the desktop package both are in app.asar.unpacked
      rendererDir: join(here, '..', 'renderer'),
      broker: fdBroker(PIPE_FD),
      env: process.env,
    });
  }
  throw new Error(`unknown --shell ${String(values.shell)}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`graphns: viewer: ${err.message}\n`);
    process.exitCode = 1;
  },
);
