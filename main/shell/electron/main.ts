/**
 * The Electron main process: wiring only. Each Electron event is handed to
 * the shell core, which decides (app-scheme.ts: what a graphns:// request
 * gets, whose IPC is answered; electron-core.ts: name, userData, window
 * options and bounds, saves; host-broker.ts: graphs over fd 3). What is
 * left here: navigation, new windows, webviews and permissions refused (but
 * the clipboard write electron-core.ts grants our page), no
 * menu (Electron's default one opens DevTools and reloads the page), one
 * instance.
 *
 * tests/integration/electron-main.test.ts runs the built file under a recording
 * stand-in for `electron`; tests/e2e/electron.test.ts under the real one.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  screen,
  session,
} from 'electron';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { CHANNEL_NAMES, CHANNELS } from '../../contract';
import { answerAppRequest, APP_PAGE_URL, APP_SCHEME } from '../app-scheme';
import { loadAssets } from '../assets';
import { boundsFile, readBounds, writeBounds } from '../bounds';
import { VIEWER_JS_FLAGS } from '../browser/find';
import {
  answerIpc,
  APP_NAME,
  electronHandlers,
  electronUserData,
  permissionGranted,
  restoreBounds,
  saveDialogOptions,
  windowOptions,
} from '../electron-core';
import { isHeadless } from '../display';
import { PIPE_FD } from '../electron-plan';
import { handoffEnabled, listenForSnapshots, SnapshotInbox } from '../handoff';
import { fdBroker } from '../host-broker';

// before the single-instance lock, which lives in userData
app.setName(APP_NAME);
app.setPath('userData', electronUserData(process.env, homedir()));
app.commandLine.appendSwitch('js-flags', VIEWER_JS_FLAGS);
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, codeCache: true } },
]);
Menu.setApplicationMenu(null);

/**
 * Whether the page has asked for its graph. A window that closes, or a page
 * that dies, before that never showed one: graphns must not exit 0 then.
 */
let shown = false;

/** End with 1 and the reason when the window goes before it showed the graph. */
function failIfNotShown(why: string): boolean {
  if (shown) return false;
  process.stderr.write(`graphns: ${why} before the window showed the graph\n`);
  app.exit(1);
  return true;
}

/** Answer graphns://app/ with the page's files (app-scheme.ts decides what each request gets). */
function serveApp(): void {
  const assets = loadAssets(join(__dirname, '..', '..', 'renderer'));
  protocol.handle(APP_SCHEME, (request) => {
    const a = answerAppRequest(assets, request.method, request.url);
    return new Response(new Uint8Array(a.body), { status: a.status, headers: a.headers });
  });
}

/** The window, where it last was if that is on a screen; it remembers its place when closed. */
function createWindow(): BrowserWindow {
  const file = boundsFile(process.env, homedir());
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const win = new BrowserWindow(
    windowOptions({
      bounds: restoreBounds(readBounds(file), displays),
      preload: join(__dirname, 'preload.cjs'),
      dark: nativeTheme.shouldUseDarkColors,
    }),
  );
  refusePermissions(win);
  win.once('ready-to-show', () => win.show());
  win.on('close', () => writeBounds(file, win.getNormalBounds()));
  return win;
}

/** Every permission refused but the clipboard write our page asks for (electron-core.ts). */
function refusePermissions(win: BrowserWindow): void {
  session.defaultSession.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(
      permissionGranted(permission, {
        fromOurWindow: wc === win.webContents,
        isMainFrame: details.isMainFrame,
        url: details.requestingUrl,
      }),
    ),
  );
  session.defaultSession.setPermissionCheckHandler((wc, permission, origin, details) =>
    permissionGranted(permission, {
      fromOurWindow: wc === win.webContents,
      isMainFrame: details.isMainFrame,
      url: details.requestingUrl ?? origin,
    }),
  );
}

/**
 * Answer the contract's channels over IPC, for our window's main frame
 * only (answerIpc); our page asking for its graph means it has shown one.
 */
function answerChannels(
  win: BrowserWindow,
  graphs: ReturnType<typeof fdBroker>,
  inbox: SnapshotInbox,
): void {
  const handlers = electronHandlers({
    inbox,
    broker: graphs,
    askSavePath: (defaultPath, kind) =>
      dialog.showSaveDialog(win, saveDialogOptions(defaultPath, kind)),
    close: () => win.close(),
    home: homedir(),
    hostname: hostname(),
  });
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(CHANNELS[name], (event, arg: unknown) => {
      if (name === 'getGraph' && event.sender === win.webContents) shown = true;
      return answerIpc(
        handlers,
        name,
        {
          fromOurWindow: event.sender === win.webContents,
          isMainFrame: event.senderFrame === win.webContents.mainFrame,
          frameUrl: event.senderFrame?.url,
        },
        arg,
      );
    });
  }
}

/** Bring the window to the front (a second graphns started, or handed it a snapshot). */
function raise(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.focus();
}

/**
 * Snapshots a second `graphns --open` hands over (handoff.ts): to the
 * page through `inbox`, the window raised; the socket goes when the app
 * quits. The single-instance lock alone cannot carry one (see handoff.ts).
 */
function takeSnapshots(win: BrowserWindow, inbox: SnapshotInbox): void {
  if (!handoffEnabled(process.env, isHeadless(process.env.GRAPHNS_ELECTRON_ARGS))) return;
  void listenForSnapshots({
    uid: process.getuid?.() ?? -1,
    env: process.env,
    onSnapshot: (s) => {
      inbox.push(s);
      raise(win);
    },
  }).then((l) => {
    if ('problem' in l) {
      process.stderr.write(`graphns: snapshots cannot be handed to this window: ${l.problem}\n`);
      return;
    }
    app.on('will-quit', () => {
      l.close();
      inbox.close();
    });
  });
}

function start(): void {
  const graphs = fdBroker(PIPE_FD);
  serveApp();
  const win = createWindow();
  const inbox = new SnapshotInbox();
  answerChannels(win, graphs, inbox);
  takeSnapshots(win, inbox);
  win.webContents.on('render-process-gone', (_event, details) => {
    failIfNotShown(`the viewer page ended (${details.reason}, exit code ${details.exitCode})`);
  });
  graphs.onClose(() => app.quit());
  // a second Electron start (its graphns found no window to hand a snapshot to)
  app.on('second-instance', () => raise(win));
  void win.loadURL(APP_PAGE_URL);
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});
app.on('window-all-closed', () => {
  if (!failIfNotShown('the viewer window closed')) app.quit();
});

if (!app.requestSingleInstanceLock()) {
  process.stderr.write('graphns: a viewer window is already open; it has been raised\n');
  app.exit(1);
} else {
  void app
    .whenReady()
    .then(start)
    .catch((err: Error) => {
      // e.g. the page is not where it should be: say so rather than show nothing
      process.stderr.write(`graphns: viewer: ${err.message}\n`);
      app.exit(1);
    });
}
