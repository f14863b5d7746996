// The packaged app's Electron entry (electron-builder.yml extraMetadata.main).
// The packaged Electron starts in one of two ways:
//  - by graphns's shell host (bin/electron), which passes the path of the
//    viewer's main process, dist/shell/electron/main.cjs, and the graph pipe
//    on fd 3: run that viewer main;
//  - from the desktop entry or a double-clicked AppImage, with neither: run
//    the graphns command (bin/graphns), which discovers the namespaces and
//    opens the window through the shell host like a start from a terminal,
//    and stay alive until it ends (an AppImage is unmounted when we exit).
/* eslint-disable @typescript-eslint/no-require-imports -- Electron's CommonJS entry */
'use strict';
const { join } = require('node:path');

const viewerMain = join(__dirname, 'dist', 'shell', 'electron', 'main.cjs');
const fromHost = process.argv.slice(1).some((a) => a.endsWith('/dist/shell/electron/main.cjs'));

if (fromHost) {
  require(viewerMain);
} else {
  const { app } = require('electron');
  const { spawn } = require('node:child_process');
  const child = spawn(join(process.resourcesPath, 'bin', 'graphns'), [], { stdio: 'inherit' });
  child.once('error', (err) => {
    process.stderr.write(`graphns: cannot start the graphns command: ${err.message}\n`);
    app.exit(1);
  });
  child.once('exit', (code) => app.exit(code ?? 1));
}
