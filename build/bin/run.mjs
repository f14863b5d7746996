// Starts one of graphns's commands inside the packaged app, where the
// packaged Electron runs as Node (bin/node sets ELECTRON_RUN_AS_NODE=1).
// The commands live unpacked on disk (resources/app.asar.unpacked/dist/app),
// so they run exactly as under a plain `node`. Two settings let `graphns`
// open its window from here (docs/PACKAGING.md):
//  - ELECTRON_OVERRIDE_DIST_PATH=bin: graphns finds "the Electron binary" as
//    bin/electron, which starts the packaged Electron as Electron;
//  - process.execPath=bin/node: the viewer's shell host is spawned with
//    process.execPath, and under sudo with a filtered environment (no
//    ELECTRON_RUN_AS_NODE), so the bare binary would start as a GUI app.
// koffi is loaded first: its loader reads the ELF header of process.execPath.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const COMMANDS = ['graphns', 'lsuserns', 'lspidns', 'lsnetns'];
const here = dirname(fileURLToPath(import.meta.url));

const name = process.argv[2];
if (!COMMANDS.includes(name)) {
  process.stderr.write(`graphns package: unknown command ${String(name)}\n`);
  process.exitCode = 2;
} else {
  const unpacked = join(here, '..', 'app.asar.unpacked');
  const script = join(unpacked, 'dist', 'app', `${name}.js`);
  await import(pathToFileURL(join(unpacked, 'node_modules', 'koffi', 'index.js')).href);
  process.execPath = join(here, 'node');
  process.env.ELECTRON_OVERRIDE_DIST_PATH = here;
  process.argv.splice(1, 2, script);
  await import(pathToFileURL(script).href);
}
