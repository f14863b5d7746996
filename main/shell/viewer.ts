/**
 * openViewer(): the graphns side of the viewer. Picks a shell (Electron if
 * its binary is there, else an installed Chromium in app mode), starts the
 * shell host (as the invoking user under sudo) or, with no privilege drop,
 * is the host itself, and serves graphs: the first one, then one per
 * rediscovery request, which is the only request it accepts. Discovery
 * (the `load` callback) runs here, in this possibly privileged process,
 * and nowhere else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { GraphPayload, GraphResult, HandedSnapshot } from '../contract';
import { escapeDisplay, serializeModel, type Model } from '../model';
import { findBrowser } from './browser/find';
import { displayProblem, isHeadless } from './display';
import { runBrowserShell } from './browser/run';
import { electronPackageDir, findElectron } from './electron-binary';
import { electronPlan } from './electron-plan';
import { handOver, handoffEnabled, handoffTargets } from './handoff';
import { localBroker } from './host-broker';
import { LineChannel, MAX_REQUEST_LINE, parseRequest } from './pipe';
import { spawnPlan } from './plan';
import { hostArgs, hostEnv, sudoTarget, type DropTarget } from './privilege';
import { scanQueue, type ScanRequest } from './scans';

/** How graphns opens the viewer. */
export interface ViewerOptions {
  /** Force a shell; by default Electron when its binary is found, else the browser shell. */
  shell?: 'electron' | 'browser';
  /** Show details in the graph (passed to toDot). */
  details: boolean;
  /** Start with the network wiring (passed to toDot); the page can switch either way. */
  net?: boolean;
  /**
   * The model to show. Called once at start and again for every
   * rediscovery the window asks for (`r`, F5): `() => discover()` for the
   * live system, a snapshot reader for `--open`.
   */
  load: () => Model | Promise<Model>;
  /** `--overview` (on) or `--full` (off); absent: by the graph's size (passed to toDot). */
  overviewMode?: 'on' | 'off';
  /**
   * Model to Graphviz DOT (main/emit's drawDot, or modelToNetDot with
   * `net`), with the overview's note when it drew the overview.
   */
  toDot: (
    model: Model,
    opts: { details: boolean; net: boolean; overview: 'auto' | 'on' | 'off' },
  ) => Pick<GraphPayload, 'dot' | 'overview'>;
  /** Environment to read (SUDO_*, DISPLAY, GRAPHNS_*); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Settles when the window may open, or rejects with the reason it must
   * not (a snapshot that does not check out: the error is openViewer's, and
   * no window has opened). The shell gets ready meanwhile. Default: at once.
   */
  ready?: Promise<unknown>;
  /**
   * The name (no directory) of the snapshot `load` reads (`--open FILE`),
   * for the page's words; absent for a live scan.
   */
  snapshotName?: string;
  /**
   * A snapshot to show in a viewer window of the same user already open on
   * the same display (handoff.ts), instead of opening another: its name
   * and its text, asked for once `ready` has settled (the snapshot read
   * and checked, as the user who ran this graphns). When no window takes
   * it, this graphns opens its own.
   */
  handOver?: { name: string; text: () => string };
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

/** A shell that can run: which one, and its program. */
type Shell = Extract<Choice, { shell: unknown }> & { note?: string };

/** What openViewer decided before it starts anything. */
interface ViewerPlan {
  shell: Shell;
  /** The user the window runs as under sudo; undefined when there is nobody to drop to. */
  target: DropTarget | undefined;
  euid: number;
  /** The build (findDist). */
  dist: string;
}

/**
 * Decide everything that needs no process yet: the shell, whom the window
 * runs as, whether a window can be shown at all (no display is an error,
 * never a window that silently was not), where the build is. The first
 * thing that rules a window out is the error.
 */
function planViewer(o: ViewerOptions, env: NodeJS.ProcessEnv): ViewerPlan | { error: string } {
  const shell = chooseShell(o.shell, findElectron(env, electronPackageDir()), findBrowser(env));
  if ('error' in shell) return shell;
  const euid = process.geteuid?.() ?? -1;
  const target = sudoTarget(env, euid);
  const noWindow = displayProblem(env, {
    headless: isHeadless(
      shell.shell === 'browser' ? env.GRAPHNS_BROWSER_ARGS : env.GRAPHNS_ELECTRON_ARGS,
    ),
    readAuth: !target, // under sudo, the host checks as the user who will show the window
  });
  if (noWindow) return { error: noWindow };
  try {
    return { shell, target, euid, dist: findDist() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** What graphns says once the window may open: which shell, and who runs what. */
export function viewerNotes(
  note: string | undefined,
  target: DropTarget | undefined,
  euid: number,
): string[] {
  const notes = note ? [note] : [];
  if (target) notes.push(`discovery runs as root; the window runs as uid ${target.uid}`);
  else if (euid === 0) {
    notes.push('running as root without sudo: the window runs as root, with its sandbox off');
  }
  return notes;
}

/** The graph for the window: `load`, then the DOT and the model's JSON, or the error. */
function graphFrom(o: ViewerOptions): () => Promise<GraphResult> {
  return async () => {
    try {
      const model = await o.load();
      return {
        ok: true,
        ...o.toDot(model, {
          details: o.details,
          net: o.net ?? false,
          overview: o.overviewMode ?? 'auto',
        }),
        details: o.details,
        ...(o.overviewMode && { overviewMode: o.overviewMode }),
        ...(o.net && { net: true }),
        modelJson: serializeModel(model),
        title: `graphns — ${escapeDisplay(model.host.hostname)}`,
        namespaces: model.namespaces.length,
        warnings: model.warnings,
        ...(o.snapshotName !== undefined && { snapshot: o.snapshotName }),
      };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
}

/**
 * No privilege drop and the browser shell: this process is the shell host.
 * The browser starts once `ready` settles (the notes said first); `ready`'s
 * error is thrown once the shell has ended.
 */
async function hostBrowserHere(
  program: string,
  dist: string,
  env: NodeJS.ProcessEnv,
  graph: () => Promise<GraphResult>,
  mayOpen: Promise<void>,
): Promise<number> {
  const broker = localBroker(graph);
  let readyError: unknown;
  const opened = mayOpen.catch((err: unknown) => {
    readyError = err;
    throw err;
  });
  const code = await runBrowserShell({
    browser: program,
    rendererDir: join(dist, 'renderer'),
    broker: { ...broker, opened: () => opened },
    env,
    onStarted: () => broker.start(),
  });
  if (readyError !== undefined) throw readyError;
  return code;
}

/**
 * Start the window's process with the pipe on its fd 3: the shell host
 * (under sudo, or for the browser shell), else Electron itself, from the
 * same plan as the host's.
 */
function spawnWindow(plan: ViewerPlan, env: NodeJS.ProcessEnv): ChildProcess {
  const { shell, target, dist } = plan;
  if (target || shell.shell === 'browser') {
    return spawn(
      process.execPath,
      [join(dist, 'shell', 'host.js'), ...hostArgs(shell.shell, shell.program, target)],
      { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: hostEnv(env, target), cwd: '/' },
    );
  }
  return spawnPlan(
    electronPlan({
      program: shell.program,
      mainScript: join(dist, 'shell', 'electron', 'main.cjs'),
      env,
      asRoot: plan.euid === 0,
      pipe: 'pipe',
    }),
  );
}

/** graphns's exit code from the window's process: its own, 130 for SIGINT, else 1. */
function exitCodeOf(child: ChildProcess, say: (line: string) => void): Promise<number> {
  return new Promise<number>((resolve) => {
    child.once('error', (err) => {
      say(`cannot start the viewer: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

/**
 * Serve graphs over the child's pipe: one discovery at a time, at most one
 * waiting, so a flood of requests costs two scans; `rediscover` is the
 * only request accepted (a malformed one is said once, and ignored).
 */
function serveGraphs(
  child: ChildProcess,
  graph: () => Promise<GraphResult>,
  say: (line: string) => void,
): { request: ScanRequest; channel: LineChannel } {
  let ignored = 0;
  const request = scanQueue(graph, (id, result) => channel.send({ t: 'graph', id, result }));
  const channel = new LineChannel(
    child.stdio[3] as Duplex,
    (line) => {
      const r = parseRequest(line);
      if (r) request(r.id);
      else if (ignored++ === 0) say('ignored a malformed request from the viewer');
    },
    MAX_REQUEST_LINE,
  );
  return { request, channel };
}

/**
 * The window in a process of its own (the host, or Electron), served over
 * its pipe until it exits. Electron's host hands the pipe to Electron, so
 * it must not read from it: it starts only once the input has checked out.
 * The browser shell's host starts at once and waits for `open`, its start
 * overlapping the check; if `ready` fails, the host ends without having
 * started a browser and `ready`'s error is thrown.
 */
async function serveWindow(
  plan: ViewerPlan,
  env: NodeJS.ProcessEnv,
  graph: () => Promise<GraphResult>,
  ready: Promise<unknown>,
  notes: () => void,
  say: (line: string) => void,
): Promise<number> {
  if (plan.shell.shell === 'electron') {
    await ready;
    notes();
  }
  const child = spawnWindow(plan, env);
  const exited = exitCodeOf(child, say);
  const { request, channel } = serveGraphs(child, graph, say);
  // the window handles Ctrl-C itself (it ends and we follow)
  const ignoreSignal = () => undefined;
  process.on('SIGINT', ignoreSignal);
  try {
    if (plan.shell.shell === 'browser') {
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

/**
 * Show a snapshot in a window already open, when there is one: of the
 * user the window would run as, on this display (handoff.ts). Resolves
 * with graphns's exit code (0) when a window took it, else undefined (open
 * a window of our own). `ready`'s error, a snapshot that does not check
 * out, is thrown before anything is sent.
 */
async function handedOver(
  h: NonNullable<ViewerOptions['handOver']>,
  plan: ViewerPlan,
  env: NodeJS.ProcessEnv,
  ready: Promise<unknown>,
  say: (line: string) => void,
): Promise<number | undefined> {
  const args =
    plan.shell.shell === 'browser' ? env.GRAPHNS_BROWSER_ARGS : env.GRAPHNS_ELECTRON_ARGS;
  if (!handoffEnabled(env, isHeadless(args))) return undefined;
  const uid = plan.target?.uid ?? plan.euid;
  const targets = handoffTargets(uid, env);
  if ('problem' in targets) {
    say(`not handing the snapshot to an open window: ${targets.problem}`);
    return undefined;
  }
  if (targets.sockets.length === 0) return undefined;
  await ready;
  const snapshot: HandedSnapshot = { name: h.name, text: h.text() };
  const r = await handOver({ uid, env, snapshot });
  if (r.delivered) {
    say(`${escapeDisplay(h.name)} is shown in the viewer window already open (graphns ${r.pid})`);
    return 0;
  }
  if (r.problem) say(`not shown in the open window: ${r.problem}; opening another`);
  return undefined;
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
  const plan = planViewer(o, env);
  if ('error' in plan) {
    await ready; // bad input is the first thing to say
    say(plan.error);
    return 1;
  }
  if (o.handOver) {
    const code = await handedOver(o.handOver, plan, env, ready, say);
    if (code !== undefined) return code;
  }
  const notes = () => viewerNotes(plan.shell.note, plan.target, plan.euid).forEach(say);
  const graph = graphFrom(o);
  if (!plan.target && plan.shell.shell === 'browser') {
    return hostBrowserHere(plan.shell.program, plan.dist, env, graph, ready.then(notes));
  }
  return serveWindow(plan, env, graph, ready, notes, say);
}
