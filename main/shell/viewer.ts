/**
 * openViewer(): the graphns side of the viewer. Picks a shell (Electron if
 * its binary is there, else an installed Chromium in app mode), starts the
 * shell host (as the invoking user under sudo) or, with no privilege drop,
 * is the host itself, and serves graphs: the first one, then one per
 * rediscovery request, which is the only request it accepts. Discovery
 * (the `load` callback) runs here, in this possibly privileged process,
 * and nowhere else.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphResult } from '../contract';
import { escapeDisplay, serializeModel, type Model } from '../model';
import { findBrowser } from './browser/find';
import { displayProblem, isHeadless } from './display';
import { runBrowserShell } from './browser/run';
import { electronPackageDir, findElectron } from './electron-binary';
import { electronPlan } from './electron-plan';
import { localBroker } from './host-broker';
import { LineChannel, MAX_REQUEST_LINE, parseRequest } from './pipe';
import { spawnPlan } from './plan';
import { hostArgs, hostEnv, sudoTarget } from './privilege';
import { scanQueue } from './scans';

/** How graphns opens the viewer. */
export interface ViewerOptions {
  /** Force a shell; by default Electron when its binary is found, else the browser shell. */
  shell?: 'electron' | 'browser';
  /** Show details in the graph (passed to toDot). */
  details: boolean;
  /**
   * The model to show. Called once at start and again for every
   * rediscovery the window asks for (`r`, F5): `() => discover()` for the
   * live system, a snapshot reader for `--open`.
   */
  load: () => Model | Promise<Model>;
  /** Model to Graphviz DOT (main/emit's modelToDot). */
  toDot: (model: Model, opts: { details: boolean }) => string;
  /** Environment to read (SUDO_*, DISPLAY, GRAPHNS_*); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Settles when the window may open, or rejects with the reason it must
   * not (a snapshot that does not check out: the error is openViewer's, and
   * no window has opened). The shell gets ready meanwhile. Default: at once.
   */
  ready?: Promise<unknown>;
}

/** Where the built viewer lives (dist/, holding shell/host.js and renderer/). */
export function findDist(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    for (const d of [dir, join(dir, 'dist')]) {
      if (existsSync(join(d, 'shell', 'host.js'))) return d;
    }
    dir = dirname(dir);
  }
  throw new Error('the viewer is not built (no dist/shell/host.js): run npm run build');
}

type Choice = { shell: 'electron' | 'browser'; program: string } | { error: string };

/** Decide the shell, and say on stderr which one and how to get the other. */
export function chooseShell(
  forced: 'electron' | 'browser' | undefined,
  electron: { path: string } | { missing: string },
  browser: string | undefined,
): Choice & { note?: string } {
  const noBrowser =
    'no Chromium or Chrome found (install the chromium package, or set GRAPHNS_BROWSER to one)';
  if (forced === 'electron') {
    return 'path' in electron
      ? { shell: 'electron', program: electron.path, note: `viewer: Electron (${electron.path})` }
      : { error: `--shell electron: no Electron binary: ${electron.missing}` };
  }
  if (forced === 'browser') {
    return browser
      ? {
          shell: 'browser',
          program: browser,
          note: `viewer: ${browser} in app mode (browser shell, as --shell asked)`,
        }
      : { error: `--shell browser: ${noBrowser}` };
  }
  if ('path' in electron) {
    return {
      shell: 'electron',
      program: electron.path,
      note: `viewer: Electron (${electron.path}); --shell browser uses Chromium instead`,
    };
  }
  if (browser) {
    return {
      shell: 'browser',
      program: browser,
      note:
        `viewer: ${browser} in app mode (browser shell), because ${electron.missing}; ` +
        'for the Electron window install the electron package with its binary ' +
        '(or set ELECTRON_OVERRIDE_DIST_PATH)',
    };
  }
  return {
    error:
      `cannot open the viewer: no Electron (${electron.missing}) and ${noBrowser}; ` +
      'write the graph to a file with --output FILE.svg instead',
  };
}

/**
 * Open the viewer and wait until it is closed. Resolves with the exit code
 * for graphns: 0 when the window was closed or `q` pressed, 1 when no
 * window could be shown (no display, no shell, a browser that ended before
 * the page had the graph). Rejects with `ready`'s error when that rejects (before
 * any window has opened).
 *
 * Under sudo the shell host, a process of its own, drops to the user and
 * shows the window. Without a drop there is no one to separate the window
 * from: graphns runs the browser shell itself (one Node start fewer before
 * the browser's), and spawns Electron without a host between.
 */
export async function openViewer(o: ViewerOptions): Promise<number> {
  const env = o.env ?? process.env;
  const say = (line: string) => process.stderr.write(`graphns: ${line}\n`);
  const ready = o.ready ?? Promise.resolve();
  const choice = chooseShell(o.shell, findElectron(env, electronPackageDir()), findBrowser(env));
  if ('error' in choice) {
    await ready; // bad input is the first thing to say
    say(choice.error);
    return 1;
  }
  const euid = process.geteuid?.() ?? -1;
  const target = sudoTarget(env, euid);
  // before any process starts: no display is an error, never a window that silently was not
  const noWindow = displayProblem(env, {
    headless: isHeadless(
      choice.shell === 'browser' ? env.GRAPHNS_BROWSER_ARGS : env.GRAPHNS_ELECTRON_ARGS,
    ),
    readAuth: !target, // under sudo, the host checks as the user who will show the window
  });
  if (noWindow) {
    await ready;
    say(noWindow);
    return 1;
  }
  const notes = () => {
    if (choice.note) say(choice.note);
    if (target) say(`discovery runs as root; the window runs as uid ${target.uid}`);
    else if (euid === 0) {
      say('running as root without sudo: the window runs as root, with its sandbox off');
    }
  };

  let dist: string;
  try {
    dist = findDist();
  } catch (err) {
    await ready;
    say((err as Error).message);
    return 1;
  }

  const graph = async (): Promise<GraphResult> => {
    try {
      const model = await o.load();
      return {
        ok: true,
        dot: o.toDot(model, { details: o.details }),
        details: o.details,
        modelJson: serializeModel(model),
        title: `graphns — ${escapeDisplay(model.host.hostname)}`,
        namespaces: model.namespaces.length,
        warnings: model.warnings,
      };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };

  if (!target && choice.shell === 'browser') {
    // no privilege drop: this process is the shell host
    const broker = localBroker(graph);
    let readyError: unknown;
    const mayOpen = ready.then(notes, (err: unknown) => {
      readyError = err;
      throw err;
    });
    const code = await runBrowserShell({
      browser: choice.program,
      rendererDir: join(dist, 'renderer'),
      broker: { ...broker, opened: () => mayOpen },
      env,
      onStarted: () => broker.start(),
    });
    if (readyError !== undefined) throw readyError;
    return code;
  }

  // Electron's host hands the pipe to Electron, so it must not read from it:
  // it starts only once the input has checked out. The browser shell's host
  // starts now and waits for `open`, its start overlapping the check.
  if (choice.shell === 'electron') {
    await ready;
    notes();
  }
  const child =
    target || choice.shell === 'browser'
      ? spawn(
          process.execPath,
          [join(dist, 'shell', 'host.js'), ...hostArgs(choice.shell, choice.program, target)],
          { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: hostEnv(env, target), cwd: '/' },
        )
      : spawnPlan(
          electronPlan({
            program: choice.program,
            mainScript: join(dist, 'shell', 'electron', 'main.cjs'),
            env,
            asRoot: euid === 0,
            pipe: 'pipe',
          }),
        );
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      say(`cannot start the viewer: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });

  // One discovery at a time, at most one waiting: a flood of requests costs two scans
  let ignored = 0;
  const request = scanQueue(graph, (id, result) => channel.send({ t: 'graph', id, result }));
  const channel = new LineChannel(
    child.stdio[3] as import('node:stream').Duplex,
    (line) => {
      const r = parseRequest(line);
      if (r) request(r.id);
      else if (ignored++ === 0) say('ignored a malformed request from the viewer');
    },
    MAX_REQUEST_LINE,
  );
  // the window handles Ctrl-C itself (it ends and we follow)
  const ignoreSignal = () => undefined;
  process.on('SIGINT', ignoreSignal);
  try {
    if (choice.shell === 'browser') {
      try {
        await ready;
      } catch (err) {
        channel.close(); // the host ends without having started a browser
        await exited;
        throw err;
      }
      notes();
      channel.send({ t: 'open' });
    }
    request(0); // the first graph
    return await exited;
  } finally {
    process.off('SIGINT', ignoreSignal);
    request.close();
    channel.close();
  }
}
