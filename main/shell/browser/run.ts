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
import { createHandlers } from '../handlers';
import type { GraphBroker } from '../host-broker';
import { defaultSaveDir, saveBaseName, saveInDefaultDir, saveNewFile } from '../save';
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
 * Run the browser shell until the viewer ends; resolves with the exit code.
 * Everything up to the browser's start is made ready first (profile,
 * server, launch page); the browser starts once the broker says the window
 * may open, and `onStarted` hears of it.
 */
export async function runBrowserShell(o: {
  browser: string;
  rendererDir: string;
  broker: GraphBroker;
  env: NodeJS.ProcessEnv;
  onStarted?: () => void;
}): Promise<number> {
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let ending = false;
  let browser: ChildProcess | undefined = undefined; // started once the window may open
  // the window's place, remembered in the user's config dir (this process runs as that user)
  const boundsPath = boundsFile(o.env, homedir());

  // what an earlier viewer killed outright left behind, then ours (profile.ts)
  sweepProfiles(tmpdir());
  const profile = makeProfile(tmpdir());
  // whether the page has asked for its graph: a browser ending before that never showed one
  let asked = false;
  const lastLines: string[] = [];
  const launchFile = join(profile, 'launch.html');
  const server = await startServer({
    onLaunch: () => {
      try {
        unlinkSync(launchFile); // spent; the profile goes at the end anyway
      } catch {
        /* already gone */
      }
    },
    assets: loadAssets(o.rendererDir),
    handlers: createHandlers({
      graph: () => {
        asked = true;
        return o.broker.current();
      },
      rediscover: () => o.broker.rediscover(),
      save: async (svgText) => {
        try {
          const dir = defaultSaveDir(homedir());
          return {
            saved: true,
            path: saveNewFile(dir, saveBaseName(hostname(), new Date()), svgText),
          };
        } catch (err) {
          return { saved: false, error: (err as Error).message };
        }
      },
      savePng: async (png) =>
        saveInDefaultDir({ home: homedir(), hostname: hostname(), now: new Date() }, png, 'png'),
      quit: () => void end(0),
      rememberBounds: (b) => writeBounds(boundsPath, b),
    }),
  });

  const signals = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const;
  const onSignal = signals.map(([sig, code]) => [sig, () => void end(code)] as const);

  async function end(code: number): Promise<void> {
    if (ending) return;
    ending = true;
    // the browser runs in a process group of its own: end all of it (its
    // helpers outlive the main process briefly and keep writing the profile)
    const group = browser?.pid;
    if (group !== undefined) {
      signalGroup(group, 'SIGTERM');
      // a browser that ignores SIGTERM must not keep graphns alive
      if (!(await groupGone(group, 5000))) {
        signalGroup(group, 'SIGKILL');
        await groupGone(group, 2000);
      }
    }
    await server.close();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch (err) {
      process.stderr.write(`graphns: could not remove ${profile}: ${(err as Error).message}\n`);
    }
    o.broker.close();
    for (const [sig, f] of onSignal) process.off(sig, f);
    finish(code);
  }

  for (const [sig, f] of onSignal) process.on(sig, f);
  o.broker.onClose(() => void end(1));
  writeFileSync(launchFile, server.launchPage, { mode: 0o600, flag: 'wx' });
  try {
    await o.broker.opened();
  } catch {
    void end(1); // the privileged side went away first: nothing to show
    return done;
  }
  if (ending) return done;
  // as the user who shows the window (after the host's privilege drop)
  const problem = displayProblem(o.env, {
    headless: isHeadless(o.env.GRAPHNS_BROWSER_ARGS),
    readAuth: true,
  });
  if (problem) {
    process.stderr.write(`graphns: ${problem}\n`);
    void end(1);
    return done;
  }

  browser = spawnPlan(
    browserPlan({
      browser: o.browser,
      launchFile,
      profile,
      asRoot: process.geteuid?.() === 0,
      bounds: readBounds(boundsPath),
      env: o.env,
    }),
  );
  o.onStarted?.();
  // Chromium is chatty on stderr; pass on only the DevTools address (asked for
  // with --remote-debugging-port) unless GRAPHNS_DEBUG wants everything.
  const verbose = Boolean(o.env.GRAPHNS_DEBUG);
  browser.stderr?.setEncoding('utf8');
  browser.stderr?.on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (!line) continue;
      if (verbose || line.startsWith('DevTools listening on ')) process.stderr.write(`${line}\n`);
      if (lastLines.push(line) > LAST_LINES) lastLines.shift();
    }
  });
  browser.once('error', (err) => {
    process.stderr.write(`graphns: cannot start ${o.browser}: ${err.message}\n`);
    void end(1);
  });
  browser.once('exit', (code, signal) => {
    if (ending || asked) return void end(0); // closed by the user, or by us
    // it never showed the graph: say so, with what it said, and fail
    const how = signal ? `on ${signal}` : `with code ${code}`;
    const said = lastLines.map((l) => `\n  ${escapeDisplay(l)}`).join('');
    process.stderr.write(
      `graphns: ${o.browser} exited ${how} before the window showed the graph` +
        (said ? `; its last words:${said}` : '') +
        '\n',
    );
    void end(1);
  });
  return done;
}
