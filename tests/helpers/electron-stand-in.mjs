// A recording stand-in for the `electron` module, to run the BUILT Electron
// main process (dist/shell/electron/main.cjs) under plain Node:
//
//   node electron-stand-in.mjs <main.cjs>    fd 3: the privileged pipe, fd 4: Node IPC
//
// Every call main.cjs makes on app, protocol, session, screen, BrowserWindow,
// webContents, ipcMain, dialog and Menu is recorded in order (nativeTheme
// answers what STAND_IN_DARK says); app.whenReady()
// resolves at once; a BrowserWindow announces its web contents through
// app's 'web-contents-created', as Electron does. The test
// (tests/integration/electron-main.test.ts) then asks, over IPC, the callbacks
// main.cjs registered: the protocol handler with real Request objects, the
// IPC handlers with made-up senders, the navigation and permission handlers.
// It proves the wiring against our own expectations of Electron, not
// Electron itself (tests/e2e/electron.test.ts does that where it can run).
import Module, { createRequire } from 'node:module';

const calls = [];
/** JSON-safe copy of call arguments: functions become '[function]'. */
const plain = (v) =>
  JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'function' ? '[function]' : x)) ?? 'null');
const record = (api, ...args) => calls.push({ api, args: plain(args) });

const listeners = new Map(); // "<owner>:<event>" -> [fn]
const listen = (owner, event, fn) => {
  const key = `${owner}:${event}`;
  listeners.set(key, [...(listeners.get(key) ?? []), fn]);
};
const emit = (owner, event, ...args) => {
  for (const fn of listeners.get(`${owner}:${event}`) ?? []) fn(...args);
};

let schemeHandler;
let permissionRequest;
let permissionCheck;
const ipcHandlers = new Map();
const windows = [];
let nextId = 1;

function makeContents() {
  const id = nextId++;
  const owner = `contents${id}`;
  const contents = {
    id,
    owner,
    mainFrame: { url: '', routingId: 1 },
    openHandler: undefined,
    on(event, fn) {
      record(`webContents.on`, event);
      listen(owner, event, fn);
      return contents;
    },
    once(event, fn) {
      return contents.on(event, fn);
    },
    setWindowOpenHandler(fn) {
      record('webContents.setWindowOpenHandler');
      contents.openHandler = fn;
    },
  };
  return contents;
}

class BrowserWindow {
  constructor(options) {
    record('new BrowserWindow', options);
    this.options = options;
    this.webContents = makeContents();
    this.owner = `window${nextId++}`;
    windows.push(this);
    emit('app', 'web-contents-created', {}, this.webContents);
  }
  on(event, fn) {
    record('win.on', event);
    listen(this.owner, event, fn);
    return this;
  }
  once(event, fn) {
    return this.on(event, fn);
  }
  async loadURL(url) {
    record('win.loadURL', url);
    this.webContents.mainFrame.url = url;
  }
  show() {
    record('win.show');
  }
  close() {
    record('win.close');
    emit(this.owner, 'close', { preventDefault() {} });
  }
  getNormalBounds() {
    return { x: 40, y: 30, width: 1000, height: 700 };
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {
    record('win.focus');
  }
}

let whenReady;
const app = {
  commandLine: { appendSwitch: (...a) => record('app.commandLine.appendSwitch', ...a) },
  setName: (name) => record('app.setName', name),
  setPath: (name, path) => record('app.setPath', name, path),
  getPath: (name) => `/stand-in/${name}`,
  requestSingleInstanceLock() {
    record('app.requestSingleInstanceLock');
    return process.env.STAND_IN_LOCK !== 'taken';
  },
  whenReady() {
    record('app.whenReady');
    whenReady ??= Promise.resolve();
    return whenReady;
  },
  on(event, fn) {
    record('app.on', event);
    listen('app', event, fn);
    return app;
  },
  quit: () => {
    record('app.quit');
    process.send({ quit: true });
  },
  // as Electron's: the process ends now (after telling the test what it did)
  exit: (code) => {
    record('app.exit', code);
    // eslint-disable-next-line no-restricted-syntax -- Electron's app.exit ends the process at once
    process.send({ exit: code, calls }, () => process.exit(code));
  },
};

const electron = {
  app,
  BrowserWindow,
  protocol: {
    registerSchemesAsPrivileged: (list) => record('protocol.registerSchemesAsPrivileged', list),
    handle(scheme, fn) {
      record('protocol.handle', scheme);
      schemeHandler = fn;
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler(fn) {
        record('session.setPermissionRequestHandler');
        permissionRequest = fn;
      },
      setPermissionCheckHandler(fn) {
        record('session.setPermissionCheckHandler');
        permissionCheck = fn;
      },
    },
  },
  screen: {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  },
  ipcMain: {
    handle(channel, fn) {
      record('ipcMain.handle', channel);
      ipcHandlers.set(channel, fn);
    },
  },
  dialog: {
    async showSaveDialog(win, options) {
      record('dialog.showSaveDialog', windows.indexOf(win), options);
      const to = process.env.STAND_IN_SAVE_TO;
      return to ? { canceled: false, filePath: to } : { canceled: true };
    },
  },
  Menu: { setApplicationMenu: (menu) => record('Menu.setApplicationMenu', menu) },
  // the desktop's scheme, as the test says (STAND_IN_DARK=1: dark)
  nativeTheme: { shouldUseDarkColors: process.env.STAND_IN_DARK === '1' },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};

/** The IPC event Electron would give for a sender of `kind`. */
function ipcEvent(kind) {
  const win = windows[0];
  const ours = win.webContents;
  switch (kind) {
    case 'main':
      return { sender: ours, senderFrame: ours.mainFrame };
    case 'subframe':
      return { sender: ours, senderFrame: { url: ours.mainFrame.url, routingId: 2 } };
    case 'other-window': {
      const other = makeContents();
      other.mainFrame.url = ours.mainFrame.url;
      return { sender: other, senderFrame: other.mainFrame };
    }
    case 'no-frame':
      return { sender: ours, senderFrame: null };
    default: {
      // our main frame, navigated to another URL (kind is that URL)
      ours.mainFrame.url = kind;
      return { sender: ours, senderFrame: ours.mainFrame };
    }
  }
}

async function answer(m) {
  switch (m.q) {
    case 'recording':
      return { calls, windows: windows.length };
    case 'fetch': {
      const res = await schemeHandler(new Request(m.url, { method: m.method ?? 'GET' }));
      return {
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body: Buffer.from(await res.arrayBuffer()).toString('base64'),
      };
    }
    case 'ipc': {
      const win = windows[0];
      const before = win.webContents.mainFrame.url;
      try {
        const handler = ipcHandlers.get(m.channel);
        return { value: (await handler(ipcEvent(m.sender), m.arg)) ?? null };
      } catch (err) {
        return { error: err.message };
      } finally {
        win.webContents.mainFrame.url = before;
      }
    }
    case 'navigate': {
      let prevented = false;
      emit(
        windows[0].webContents.owner,
        m.event,
        { preventDefault: () => (prevented = true) },
        m.url,
      );
      return { prevented };
    }
    case 'window-open':
      return windows[0].webContents.openHandler({ url: m.url });
    case 'permission': {
      // asked as Electron asks: the web contents, and the frame's facts
      const win = windows[0];
      const before = win.webContents.mainFrame.url;
      try {
        const { sender, senderFrame } = ipcEvent(m.sender ?? 'main');
        const details = {
          isMainFrame: senderFrame === sender.mainFrame,
          requestingUrl: senderFrame?.url,
        };
        const origin = senderFrame?.url ? new URL(senderFrame.url).origin : '';
        const granted = await new Promise((r) =>
          permissionRequest(sender, m.permission, r, details),
        );
        return { granted, checked: permissionCheck(sender, m.permission, origin, details) };
      } finally {
        win.webContents.mainFrame.url = before;
      }
    }
    case 'close':
      windows[0].close();
      return {};
    // the window went away (Electron emits this once the last window closed)
    case 'all-closed':
      emit('app', 'window-all-closed');
      return {};
    // the page's renderer died
    case 'page-gone':
      emit(
        windows[0].webContents.owner,
        'render-process-gone',
        {},
        {
          reason: 'crashed',
          exitCode: 139,
        },
      );
      return {};
    default:
      throw new Error(`unknown query ${m.q}`);
  }
}

process.on('message', (m) => {
  answer(m).then(
    (value) => process.send({ id: m.id, value }),
    (err) => process.send({ id: m.id, error: String(err?.stack ?? err) }),
  );
});
// the IPC channel alone must not keep us alive once the test is done
process.channel?.unref();

createRequire(import.meta.url)(process.argv[2]);
await (whenReady ?? Promise.resolve());
process.send?.({ ready: true });
