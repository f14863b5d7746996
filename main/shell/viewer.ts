/**
 * openViewer(): the graphns side of the viewer. Picks a shell (Electron if
 * its binary is there, else an installed Chromium in app mode), starts the
 * shell host (as the invoking user under sudo), and serves it graphs over
 * the pipe: the first one, then one per rediscovery request, which is the
 * only request it accepts. Discovery (the `load` callback) runs here, in
 * this possibly privileged process, and nowhere else.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphResult } from '../contract';
import { escapeDisplay, serializeModel, type Model } from '../model';
import { findBrowser } from './browser/find';
import { electronPackageDir, findElectron } from './electron-binary';
import { LineChannel, MAX_REQUEST_LINE, parseRequest } from './pipe';
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
 * for graphns: 0 when the window was closed or `q` pressed, 1 when no shell
 * could be started.
 */
export async function openViewer(o: ViewerOptions): Promise<number> {
  const env = o.env ?? process.env;
  const say = (line: string) => process.stderr.write(`graphns: ${line}\n`);
  const choice = chooseShell(o.shell, findElectron(env, electronPackageDir()), findBrowser(env));
  if ('error' in choice) {
    say(choice.error);
    return 1;
  }
  if (choice.note) say(choice.note);
  const euid = process.geteuid?.() ?? -1;
  const target = sudoTarget(env, euid);
  if (target) say(`discovery runs as root; the window runs as uid ${target.uid}`);
  else if (euid === 0) {
    say('running as root without sudo: the window runs as root, with its sandbox off');
  }

  let dist: string;
  try {
    dist = findDist();
  } catch (err) {
    say((err as Error).message);
    return 1;
  }
  const child = spawn(
    process.execPath,
    [join(dist, 'shell', 'host.js'), ...hostArgs(choice.shell, choice.program, target)],
    { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: hostEnv(env, target), cwd: '/' },
  );
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      say(`cannot start the viewer: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });

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
    request(0); // the first graph
    return await exited;
  } finally {
    process.off('SIGINT', ignoreSignal);
    channel.close();
  }
}
