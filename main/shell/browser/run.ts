/**
 * The browser shell, run inside the shell host: the loopback server, the
 * Chromium app window on it, and their common end. The viewer ends when
 * the window closes (the browser exits), when the page asks to quit (`q`),
 * on SIGINT/SIGTERM/SIGHUP, or when the privileged side goes away.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAssets } from '../assets';
import { boundsFile, readBounds, writeBounds } from '../bounds';
import { NEXT_SNAPSHOT_WAIT_MS } from '../../contract';
import {
  handoffEnabled,
  listenForSnapshots,
  SnapshotInbox,
  type SnapshotListener,
} from '../handoff';
import { createHandlers, type Handlers } from '../handlers';
import type { GraphBroker } from '../host-broker';
import { saveInDefaultDir } from '../save';
import { spawnPlan, windowEnv, type ChildPlan } from '../plan';
import { escapeDisplay } from '../../model';
import { displayProblem, isHeadless } from '../display';
import { browserArgs, splitArgs } from './find';
import { makeProfile, sweepProfiles } from './profile';
import { startServer } from './server';

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone already */
  }
}

/** Wait until no process of group `pgid` is left; false if some still are after `ms`. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true; // ESRCH: none left
    }
    if (Date.now() > deadline) return false;
    // the group has no event to wait on; its members are not our children
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The browser's environment: the window's (plan.ts), with everything
 * Chromium would write outside its profile moved into it, so removing the
 * profile leaves nothing behind: its singleton directory
 * (`org.chromium.Chromium.XXXXXX`, made in $TMPDIR), its crash reports
 * (`<config>/chromium/Crash Reports`, found through CHROME_CONFIG_HOME,
 * whatever --user-data-dir says), GTK's dconf cache (`~/.cache/dconf`;
 * the memory backend writes nothing) and every other cache (Mesa's shader
 * cache in `~/.cache/mesa_shader_cache`: caches are disposable by
 * definition). The user's own XDG_CONFIG_HOME stays, for their GTK and
 * font settings.
 */
export function browserEnv(env: NodeJS.ProcessEnv, profile: string): NodeJS.ProcessEnv {
  return {
    ...windowEnv(env),
    TMPDIR: join(profile, 'tmp'),
    CHROME_CONFIG_HOME: join(profile, 'config'),
    XDG_CACHE_HOME: join(profile, 'cache'),
    GSETTINGS_BACKEND: 'memory',
  };
}

/** How many of the browser's last stderr lines say why it ended too early. */
const LAST_LINES = 5;

/**
 * How the browser is started: an app window on the launch page in its
 * private profile (`file://`, so the secret is on no command line), its
 * own process group, stderr piped for the DevTools address, and fd 3 —
 * where this host holds the privileged pipe — replaced by /dev/null, so
 * the browser and its helpers never inherit that pipe; and SIGTERM from
 * the kernel when this host dies, even by SIGKILL (plan.ts commandOf).
 */
export function browserPlan(o: {
  browser: string;
  launchFile: string;
  profile: string;
  asRoot: boolean;
  bounds: ReturnType<typeof readBounds>;
  env: NodeJS.ProcessEnv;
}): ChildPlan {
  return {
    program: o.browser,
    args: browserArgs({
      url: pathToFileURL(o.launchFile).href,
      userDataDir: o.profile,
      asRoot: o.asRoot,
      bounds: o.bounds,
      extra: splitArgs(o.env.GRAPHNS_BROWSER_ARGS),
    }),
    env: browserEnv(o.env, o.profile),
    fds: ['null', 'null', 'pipe', 'null'],
    detached: true, // its own process group, see end() in runBrowserShell
    endsWithParent: true, // a host killed outright takes its window along
  };
}

/**
 * The exit code for each signal that ends the viewer: 128 + its number, as
 * a shell reports a process the signal killed.
 */
export const SIGNAL_EXIT_CODES = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const;

/** Call `end` with its exit code on SIGINT, SIGTERM or SIGHUP; returns the undo. */
function onEndingSignals(end: (code: number) => void): () => void {
  const handlers = SIGNAL_EXIT_CODES.map(([sig, code]) => [sig, () => end(code)] as const);
  for (const [sig, f] of handlers) process.on(sig, f);
  return () => {
    for (const [sig, f] of handlers) process.off(sig, f);
  };
}

/**
 * End the browser's process group, all of it (its helpers outlive the main
 * process briefly and keep writing the profile): SIGTERM, then SIGKILL for
 * a browser that ignores it, which must not keep graphns alive.
 */
async function stopBrowser(group: number): Promise<void> {
  signalGroup(group, 'SIGTERM');
  if (!(await groupGone(group, 5000))) {
    signalGroup(group, 'SIGKILL');
    await groupGone(group, 2000);
  }
}

/** Remove the browser's profile, saying so when it cannot. */
function removeProfile(profile: string): void {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch (err) {
    process.stderr.write(`graphns: could not remove ${profile}: ${(err as Error).message}\n`);
  }
}

/** Remove the launch page once its secret is spent (the profile goes at the end anyway). */
function removeLaunchPage(launchFile: string): void {
  try {
    unlinkSync(launchFile);
  } catch {
    /* already gone */
  }
}

/**
 * The contract's backend in the browser shell: graphs from the broker
 * (`onGraph` hears that the page asked for one), saves as new files in the
 * user's Downloads (this process runs as the window's user), the window's
 * place remembered in their config, snapshots another graphns handed over
 * from `inbox`.
 */
function browserHandlers(o: {
  broker: GraphBroker;
  boundsPath: string;
  onGraph: () => void;
  quit: () => void;
  inbox: SnapshotInbox;
}): Handlers {
  const where = () => ({ home: homedir(), hostname: hostname(), now: new Date() });
  return createHandlers({
    graph: () => {
      o.onGraph();
      return o.broker.current();
    },
    rediscover: () => o.broker.rediscover(),
    save: async (svgText) => saveInDefaultDir(where(), svgText, 'svg'),
    savePng: async (png) => saveInDefaultDir(where(), png, 'png'),
    quit: o.quit,
    rememberBounds: (b) => writeBounds(o.boundsPath, b),
    nextSnapshot: () => o.inbox.next(NEXT_SNAPSHOT_WAIT_MS),
  });
}

/**
 * Take snapshots a second `graphns --open` hands to this window (handoff.ts),
 * when the window is on a display (or GRAPHNS_HANDOFF=1); a rendezvous that
 * is not the user's is said, and the window goes on without.
 */
async function takeSnapshots(
  env: NodeJS.ProcessEnv,
  inbox: SnapshotInbox,
): Promise<SnapshotListener | undefined> {
  if (!handoffEnabled(env, isHeadless(env.GRAPHNS_BROWSER_ARGS))) return undefined;
  const l = await listenForSnapshots({
    uid: process.getuid?.() ?? -1,
    env,
    onSnapshot: (s) => inbox.push(s),
  });
  if ('problem' in l) {
    process.stderr.write(`graphns: snapshots cannot be handed to this window: ${l.problem}\n`);
    return undefined;
  }
  return l;
}

/**
 * Wait until the window may open: the broker says so (false when the
 * privileged side went away first: nothing to show), the viewer is not
 * `ending` meanwhile, and the display can be reached, checked as the user
 * who shows the window (after the host's privilege drop; the reason on
 * stderr when not).
 */
async function windowMayOpen(
  broker: GraphBroker,
  env: NodeJS.ProcessEnv,
  ending: () => boolean,
): Promise<boolean> {
  try {
    await broker.opened();
  } catch {
    return false;
  }
  if (ending()) return false;
  const problem = displayProblem(env, {
    headless: isHeadless(env.GRAPHNS_BROWSER_ARGS),
    readAuth: true,
  });
  if (problem) process.stderr.write(`graphns: ${problem}\n`);
  return !problem;
}

/**
 * Follow the browser's stderr: Chromium is chatty there, so pass on only
 * the DevTools address (asked for with --remote-debugging-port) unless
 * `verbose` (GRAPHNS_DEBUG) wants everything. Returns its last lines, kept
 * up to date, for a browser that ends too early.
 */
function followStderr(browser: ChildProcess, verbose: boolean): string[] {
  const last: string[] = [];
  browser.stderr?.setEncoding('utf8');
  browser.stderr?.on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (!line) continue;
      if (verbose || line.startsWith('DevTools listening on ')) process.stderr.write(`${line}\n`);
      if (last.push(line) > LAST_LINES) last.shift();
    }
  });
  return last;
}

/** What graphns says of a browser that exited before the window showed the graph. */
export function endedTooEarly(
  program: string,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  lastLines: readonly string[],
): string {
  const how = exit.signal ? `on ${exit.signal}` : `with code ${exit.code}`;
  const said = lastLines.map((l) => `\n  ${escapeDisplay(l)}`).join('');
  return (
    `graphns: ${program} exited ${how} before the window showed the graph` +
    (said ? `; its last words:${said}` : '')
  );
}

/**
 * End the viewer when the browser ends: with 0 when the window had shown
 * the graph (the user closed it) or the viewer was ending anyway (`shown`
 * says so), else with 1 and why; with 1 when it cannot start at all.
 */
function endWithBrowser(
  browser: ChildProcess,
  o: { program: string; verbose: boolean; shown: () => boolean; end: (code: number) => void },
): void {
  const lastLines = followStderr(browser, o.verbose);
  browser.once('error', (err) => {
    process.stderr.write(`graphns: cannot start ${o.program}: ${err.message}\n`);
    o.end(1);
  });
  browser.once('exit', (code, signal) => {
    if (o.shown()) return o.end(0);
    process.stderr.write(`${endedTooEarly(o.program, { code, signal }, lastLines)}\n`);
    o.end(1);
  });
}

/** What the browser shell runs on. */
export interface BrowserShellOptions {
  /** The browser's program (browser/find.ts). */
  browser: string;
  /** The built page (dist/renderer). */
  rendererDir: string;
  /** Graphs, and when the window may open: over the pipe, or in this process. */
  broker: GraphBroker;
  /** The window user's environment. */
  env: NodeJS.ProcessEnv;
  /** Hears that the browser has been started. */
  onStarted?: () => void;
}

/** The launch page's place: in the profile, which only the window's user can read. */
function launchFileIn(profile: string): string {
  return join(profile, 'launch.html');
}

/** Start the browser on the launch page in `profile` (browserPlan), where the window last was. */
function startBrowser(o: BrowserShellOptions, profile: string, boundsPath: string): ChildProcess {
  return spawnPlan(
    browserPlan({
      browser: o.browser,
      launchFile: launchFileIn(profile),
      profile,
      asRoot: process.geteuid?.() === 0,
      bounds: readBounds(boundsPath),
      env: o.env,
    }),
  );
}

/**
 * Run the browser shell until the viewer ends; resolves with the exit code.
 * Everything up to the browser's start is made ready first (profile,
 * server, launch page); the browser starts once the broker says the window
 * may open, and `onStarted` hears of it.
 */
export async function runBrowserShell(o: BrowserShellOptions): Promise<number> {
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let ending = false;
  let browser: ChildProcess | undefined = undefined; // started once the window may open
  // whether the page has asked for its graph: a browser ending before that never showed one
  let asked = false;
  // the window's place, remembered in the user's config dir (this process runs as that user)
  const boundsPath = boundsFile(o.env, homedir());

  // snapshots handed over by a second graphns --open, for the page to ask for
  const inbox = new SnapshotInbox();
  let listener: SnapshotListener | undefined;
  // what an earlier viewer killed outright left behind, then ours (profile.ts)
  sweepProfiles(tmpdir());
  const profile = makeProfile(tmpdir());
  const launchFile = launchFileIn(profile);
  const server = await startServer({
    onLaunch: () => removeLaunchPage(launchFile),
    assets: loadAssets(o.rendererDir),
    handlers: browserHandlers({
      broker: o.broker,
      boundsPath,
      onGraph: () => (asked = true),
      quit: () => void end(0),
      inbox,
    }),
  });
  const offSignals = onEndingSignals((code) => void end(code));

  async function end(code: number): Promise<void> {
    if (ending) return;
    ending = true;
    listener?.close();
    inbox.close();
    if (browser?.pid !== undefined) await stopBrowser(browser.pid);
    await server.close();
    removeProfile(profile);
    o.broker.close();
    offSignals();
    finish(code);
  }

  o.broker.onClose(() => void end(1));
  writeFileSync(launchFile, server.launchPage, { mode: 0o600, flag: 'wx' });
  if (!(await windowMayOpen(o.broker, o.env, () => ending))) {
    void end(1); // (a no-op when already ending)
    return done;
  }
  browser = startBrowser(o, profile, boundsPath);
  o.onStarted?.();
  endWithBrowser(browser, {
    program: o.browser,
    verbose: Boolean(o.env.GRAPHNS_DEBUG),
    shown: () => ending || asked,
    end: (code) => void end(code),
  });
  void takeSnapshots(o.env, inbox).then((l) => {
    if (ending)
      l?.close(); // the viewer ended meanwhile
    else listener = l;
  });
  return done;
}
