/**
 * Finding an installed Chromium or Chrome for the browser shell, and the
 * command line that opens the viewer in an app-mode window with a fresh
 * profile.
 */
import type { WindowBounds } from '../../contract';
import { isAbsolute } from 'node:path';
import { isExecutable, whichFirst } from '../executable';

/** Browser program names tried on $PATH, in order. */
export const BROWSER_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome-stable',
  'google-chrome',
  'chrome',
] as const;

/** The browser to use: $GRAPHNS_BROWSER (an absolute path) or the first of BROWSER_NAMES on $PATH. */
export function findBrowser(
  env: NodeJS.ProcessEnv,
  isExec: (p: string) => boolean = isExecutable,
): string | undefined {
  const forced = env.GRAPHNS_BROWSER;
  if (forced) return isAbsolute(forced) && isExec(forced) ? forced : undefined;
  return whichFirst(BROWSER_NAMES, env.PATH, isExec);
}

/** Split an option string like `--headless --remote-debugging-port=0` on whitespace. */
export function splitArgs(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter(Boolean);
}

/**
 * V8 flags for the viewer: Graphviz's WASM compiled by the baseline
 * compiler only, lazily. The optimizing tier costs the first layout more
 * than it saves (at 1000 namespaces about 1.2 s against 0.6 s here).
 */
export const VIEWER_JS_FLAGS = '--liftoff-only --wasm-lazy-compilation';

/**
 * The browser's arguments: an app window on `url`, a private throwaway
 * profile, nothing that phones home, fast WASM start-up, and `extra`
 * (GRAPHNS_BROWSER_ARGS, e.g. `--headless` for tests). As root Chromium
 * refuses to start with its sandbox, so `asRoot` turns it off (the caller
 * warns).
 */
export function browserArgs(o: {
  url: string;
  userDataDir: string;
  asRoot: boolean;
  /** Where the window was last time (the profile is thrown away, so Chromium cannot know). */
  bounds?: WindowBounds;
  extra: readonly string[];
}): string[] {
  return [
    `--app=${o.url}`,
    `--user-data-dir=${o.userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-quic',
    '--password-store=basic',
    `--js-flags=${VIEWER_JS_FLAGS}`,
    ...(o.asRoot ? ['--no-sandbox'] : []),
    // before `extra`, so flags given in GRAPHNS_BROWSER_ARGS come later and win
    ...(o.bounds
      ? [
          `--window-size=${o.bounds.width},${o.bounds.height}`,
          `--window-position=${o.bounds.x},${o.bounds.y}`,
        ]
      : []),
    ...o.extra,
  ];
}
