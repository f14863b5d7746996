/**
 * The Electron main process: wiring only. The viewer page is served from a
 * privileged custom scheme (graphns://app/, never file://) with the CSP
 * header; the window runs it with context isolation, the sandbox and no
 * Node; navigation, new windows, webviews and permission requests are
 * refused; IPC answers only our page's main frame, through the same
 * handler table as the browser shell. `s` opens the native save dialog and
 * writes only where the user chose. Size and position are remembered.
 *
 * Graphs come from the privileged side over fd 3 (host-broker.ts), or for
 * tests from the file GRAPHNS_GRAPH_FILE (a GraphResult as JSON).
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, screen, session } from 'electron';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { CHANNEL_NAMES, CHANNELS, type GraphResult } from '../../contract';
import { assetFor, CSP, loadAssets } from '../assets';
import { boundsFile, isVisible, readBounds, writeBounds } from '../bounds';
import { VIEWER_JS_FLAGS } from '../browser/find';
import { APP_ORIGIN, createHandlers, isTrustedSender } from '../handlers';
import { fixedBroker, pipeBroker, type GraphBroker } from '../host-broker';
import { defaultSaveDir, saveBaseName, saveChosenFile } from '../save';

const SCHEME = 'graphns';
app.commandLine.appendSwitch('js-flags', VIEWER_JS_FLAGS);
protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, codeCache: true } },
]);

function broker(): GraphBroker {
  const file = process.env.GRAPHNS_GRAPH_FILE;
  if (file) return fixedBroker(JSON.parse(readFileSync(file, 'utf8')) as GraphResult);
  return pipeBroker(new Socket({ fd: 3, readable: true, writable: true }));
}

function start(): void {
  const graphs = broker();
  const assets = loadAssets(join(__dirname, '..', '..', 'renderer'));
  protocol.handle(SCHEME, (request) => {
    const url = new URL(request.url);
    const asset = url.origin === APP_ORIGIN ? assetFor(assets, url.pathname) : undefined;
    if (!asset) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(asset.body), {
      headers: { 'Content-Type': asset.type, 'Content-Security-Policy': CSP },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );

  const file = boundsFile(process.env, homedir());
  const saved = readBounds(file);
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const win = new BrowserWindow({
    ...(saved && isVisible(saved, displays) ? saved : { width: 1100, height: 800 }),
    title: 'graphns',
    show: false,
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('close', () => writeBounds(file, win.getNormalBounds()));

  const handlers = createHandlers({
    graph: () => graphs.current(),
    rediscover: () => graphs.rediscover(),
    save: async (svgText) => {
      const defaultPath = join(
        defaultSaveDir(homedir()),
        `${saveBaseName(hostname(), new Date())}.svg`,
      );
      const choice = await dialog.showSaveDialog(win, {
        title: 'Save the graph as SVG',
        defaultPath,
        filters: [{ name: 'SVG image', extensions: ['svg'] }],
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      });
      if (choice.canceled || !choice.filePath) return { saved: false };
      try {
        return { saved: true, path: saveChosenFile(choice.filePath, svgText) };
      } catch (err) {
        return { saved: false, error: (err as Error).message };
      }
    },
    quit: () => setImmediate(() => win.close()),
    // the window's own bounds are saved on close (getNormalBounds), not what the page says
    rememberBounds: () => undefined,
  });
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(CHANNELS[name], (event, arg: unknown) => {
      const trusted = isTrustedSender({
        fromOurWindow: event.sender === win.webContents,
        isMainFrame: event.senderFrame === win.webContents.mainFrame,
        frameUrl: event.senderFrame?.url,
      });
      if (!trusted) throw new Error('refused: not the viewer page');
      return handlers[name](arg);
    });
  }
  graphs.onClose(() => app.quit());
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});
app.on('window-all-closed', () => app.quit());

if (!app.requestSingleInstanceLock()) {
  process.stderr.write('graphns: a viewer window is already open; it has been raised\n');
  app.exit(1);
} else {
  void app.whenReady().then(start);
}
