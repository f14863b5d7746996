/**
 * Every decision the Electron main process makes, as plain code tests run
 * with real values; main/shell/electron/main.ts only maps Electron's events
 * onto it. Here: the app's identity (name and userData, which also key the
 * single-instance lock), the window's options and where it opens, where a
 * save goes and how it is written, and which IPC messages are answered.
 * The page's address and the scheme's answers are in app-scheme.ts; the
 * Electron process's own command line and environment in electron-plan.ts.
 */
import { dirname, join } from 'node:path';
import {
  NEXT_SNAPSHOT_WAIT_MS,
  type Channel,
  type GraphResult,
  type SaveResult,
} from '../contract';
import { appPath, isTrustedSender, type SenderFacts } from './app-scheme';
import { boundsFile, isVisible, type Bounds } from './bounds';
import { createHandlers, type Handlers } from './handlers';
import type { SnapshotInbox } from './handoff';
import type { GraphBroker } from './host-broker';
import { defaultSaveDir, saveBaseName, saveChosenFile, type SaveKind } from './save';

/**
 * The app's name. Started from npm, Electron would be "Electron": its
 * userData, single-instance lock and WM_CLASS shared with every other app
 * started with the default name.
 */
export const APP_NAME = 'graphns';

/**
 * Electron's userData (Chromium's profile, and the single-instance lock):
 * `electron/` beside window.json in graphns's config directory, so the
 * profile's many files do not mix with ours. Set explicitly, because
 * app.setName() does not move a userData path Electron has already worked
 * out.
 */
export function electronUserData(env: NodeJS.ProcessEnv, home: string): string {
  return join(dirname(boundsFile(env, home)), 'electron');
}

/** The window's size when nothing (visible) was remembered. */
export const DEFAULT_SIZE = { width: 1100, height: 800 } as const;

/** The remembered bounds when some corner of them is on a display, else the default size. */
export function restoreBounds(
  saved: Bounds | undefined,
  displays: readonly Bounds[],
): Bounds | typeof DEFAULT_SIZE {
  return saved && isVisible(saved, displays) ? saved : DEFAULT_SIZE;
}

/**
 * The window's colour before the page paints: the page's background in the
 * desktop's scheme (renderer/style.css's --graph-bg), so a dark desktop
 * gets no white flash.
 */
export const WINDOW_BACKGROUND = { light: '#ffffff', dark: '#16181c' } as const;

/** The BrowserWindow's options (a subset of Electron's BrowserWindowConstructorOptions). */
export function windowOptions(o: {
  bounds: Bounds | typeof DEFAULT_SIZE;
  preload: string;
  /** The desktop prefers dark colours (Electron's nativeTheme.shouldUseDarkColors). */
  dark?: boolean;
}): {
  x?: number;
  y?: number;
  width: number;
  height: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    webviewTag: false;
    spellcheck: false;
  };
} {
  return {
    ...o.bounds,
    title: APP_NAME,
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: WINDOW_BACKGROUND[o.dark ? 'dark' : 'light'],
    autoHideMenuBar: true,
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Where the save dialog starts: ~/Downloads (else ~), named like a browser-shell save. */
export function defaultSavePath(
  home: string,
  host: string,
  now: Date,
  kind: SaveKind = 'svg',
): string {
  return join(defaultSaveDir(home), `${saveBaseName(host, now)}.${kind}`);
}

/** The native save dialog's options (Electron's SaveDialogOptions). */
export function saveDialogOptions(
  defaultPath: string,
  kind: SaveKind = 'svg',
): {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
  properties: ('showOverwriteConfirmation' | 'createDirectory')[];
} {
  const name = kind.toUpperCase();
  return {
    title: `Save the graph as ${name}`,
    defaultPath,
    filters: [{ name: `${name} image`, extensions: [kind] }],
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  };
}

/** What the dialog answered (Electron's SaveDialogReturnValue). */
export interface SaveChoice {
  canceled: boolean;
  filePath?: string;
}

/**
 * Write `data` where the user chose, replacing that file atomically (the
 * dialog asked before overwriting); nothing when they cancelled.
 */
export function saveWhereChosen(choice: SaveChoice, data: string | Uint8Array): SaveResult {
  if (choice.canceled || !choice.filePath) return { saved: false };
  try {
    return { saved: true, path: saveChosenFile(choice.filePath, data) };
  } catch (err) {
    return { saved: false, error: (err as Error).message };
  }
}

/** The contract's handlers as the Electron shell answers them. */
export function electronHandlers(o: {
  broker: GraphBroker;
  /** Shows the native save dialog for a `kind` file, starting at `defaultPath`. */
  askSavePath: (defaultPath: string, kind: SaveKind) => Promise<SaveChoice>;
  /** Closes the window (after the answer has gone). */
  close: () => void;
  home: string;
  hostname: string;
  now?: () => Date;
  /** Snapshots a second `graphns --open` handed to the window (handoff.ts). */
  inbox?: SnapshotInbox;
}): Handlers {
  const now = o.now ?? (() => new Date());
  return createHandlers({
    graph: (): Promise<GraphResult> => o.broker.current(),
    rediscover: () => o.broker.rediscover(),
    save: async (svgText) =>
      saveWhereChosen(
        await o.askSavePath(defaultSavePath(o.home, o.hostname, now()), 'svg'),
        svgText,
      ),
    savePng: async (png) =>
      saveWhereChosen(
        await o.askSavePath(defaultSavePath(o.home, o.hostname, now(), 'png'), 'png'),
        png,
      ),
    quit: () => setImmediate(o.close),
    // the window's own bounds are saved on close (getNormalBounds), not what the page says
    rememberBounds: () => undefined,
    ...(o.inbox && { nextSnapshot: () => o.inbox!.next(NEXT_SNAPSHOT_WAIT_MS) }),
  });
}

/** Who asks for a permission (Electron's request and check handlers tell this much). */
export interface PermissionAsker {
  /** The asking web contents is our window's. */
  fromOurWindow: boolean;
  isMainFrame: boolean;
  /** The asking frame's URL, or its origin (a check handler may give only that). */
  url: string | undefined;
}

/**
 * The one permission the page gets: writing text to the clipboard
 * (navigator.clipboard.writeText: `y` copies the DOT, the details panel an
 * id or an nsenter line), and only for our page in our window's main
 * frame. Reading the clipboard, and everything else, is refused.
 */
export function permissionGranted(permission: string, asker: PermissionAsker): boolean {
  if (permission !== 'clipboard-sanitized-write') return false;
  if (!asker.fromOurWindow || !asker.isMainFrame || asker.url === undefined) return false;
  // graphns://app serves our page's files alone (app-scheme.ts)
  return appPath(asker.url) !== undefined;
}

/**
 * Answer one IPC message: refused (a rejection the page sees as an error)
 * unless it comes from our page's main frame, else the channel's handler,
 * which checks the argument.
 */
export async function answerIpc(
  handlers: Handlers,
  channel: Channel,
  sender: SenderFacts,
  arg: unknown,
): Promise<unknown> {
  if (!isTrustedSender(sender)) throw new Error('refused: not the viewer page');
  return handlers[channel](arg);
}
