/**
 * graphns: the namespace graph of this host (or of a saved snapshot) as
 * Graphviz DOT, as model JSON, or laid out as an SVG file, without any
 * window: how graphns is used on servers and in scripts. Without an output
 * flag it opens the desktop viewer (main/shell: Electron, or Chromium in
 * app mode), which asks this process for every (re)discovery.
 *
 * The command's logic, importable by tests: app/graphns.ts only runs it.
 * Errors and exit codes are app/cli.ts's: 0 ok, 1 failure (bad snapshot,
 * discovery or layout error, unwritable output), 2 usage. The viewer's
 * code is openViewer()'s: 0 when the window was closed, 1 when it could
 * not be opened.
 */
import { basename } from 'node:path';
import { drawDot, modelToNetDot, thousands } from '../main/emit';
import { tooLarge } from '../main/emit/layout-failure';
import type { DotDrawing, OverviewMode, OverviewNote } from '../main/emit';
import { escapeDisplay, serializeModel } from '../main/model';
import type { DiscoverySeries } from '../main/discover';
import type { Model } from '../main/model';
import { CliError, EXIT, parse as parseStrict, runCommand, UsageError, writeTo } from './cli';
import type { Io } from './cli';
import { loadSnapshot, readSnapshot, SNAPSHOT_MAX_BYTES } from './snapshot';

export type { Io } from './cli';

const USAGE =
  'usage: graphns [-d | --net] [--overview | --full] [--open SNAPSHOT.json] [--dot | -J] [-o FILE.svg] [--shell electron|browser]';

const HELP = `${USAGE}

Draws how the namespaces of this Linux host relate: user and PID namespace
hierarchies, which user namespace owns which PID namespace, and with -d the
flat namespaces (cgroup, ipc, mnt, net, uts, time) under their owners.

  --dot               print the graph as Graphviz DOT
  -J, --json          print the namespace model as JSON (a snapshot for --open)
  -o, --output FILE   lay the graph out and write it as SVG to FILE (- for stdout)
  -d, --details       also draw the flat namespaces
      --net           draw the network wiring instead: each network namespace
                      with its interfaces and addresses, veth pairs, bridges
                      (the viewer starts in its wiring view, key n; with -J
                      the snapshot carries the interfaces)
      --overview      draw the overview: siblings of one kind grouped into one
                      box each (with counts), depth folded past a few hundred
                      boxes; the default for a graph too large to lay out in
                      seconds (about 6000 boxes, or 3000 under one
                      parent), said in the legend
      --full          draw every namespace, however large (a layout Graphviz
                      cannot make falls back to the overview, with a note)
      --open FILE     draw a snapshot saved with --json instead of this host
                      (a regular file of at most ${SNAPSHOT_MAX_BYTES >> 20} MiB, or - for stdin);
                      with a viewer window of yours already open on this display,
                      show it there instead of opening another
      --shell SHELL   the viewer's window: electron or browser (default: Electron
                      when its binary is found, else Chromium/Chrome in app mode)
  -h, --help          show this help

Without --dot, --json or --output, graphns opens the desktop viewer
(keys: + - 1 s r n o k q h; run it as sudo -E graphns: the window runs as you).
Run as root to see every namespace; unprivileged scans show what they can.

Exit codes: 0 ok (for the viewer: its window was closed), 1 failure,
2 usage error.`;

/** Warnings printed before "and N more": an unprivileged scan can have hundreds. */
const MAX_WARNINGS = 20;
/** Drawn namespaces above which a layout takes about a second or more. */
const SLOW_LAYOUT_NODES = 2500;

interface Options {
  dot: boolean;
  json: boolean;
  output: string | undefined;
  details: boolean;
  net: boolean;
  /** --overview: on, --full: off, neither: auto (by size). */
  overview: OverviewMode;
  open: string | undefined;
  shell: 'electron' | 'browser' | undefined;
  help: boolean;
}

function parse(argv: string[]): Options {
  const values = parseStrict(argv, {
    dot: { type: 'boolean' },
    json: { type: 'boolean', short: 'J' },
    output: { type: 'string', short: 'o' },
    details: { type: 'boolean', short: 'd' },
    net: { type: 'boolean' },
    overview: { type: 'boolean' },
    full: { type: 'boolean' },
    open: { type: 'string' },
    shell: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const o: Options = {
    dot: values.dot ?? false,
    json: values.json ?? false,
    output: values.output,
    details: values.details ?? false,
    net: values.net ?? false,
    overview: values.overview ? 'on' : values.full ? 'off' : 'auto',
    open: values.open,
    shell: undefined,
    help: values.help ?? false,
  };
  if (values.shell !== undefined) {
    if (values.shell !== 'electron' && values.shell !== 'browser') {
      throw new UsageError(`--shell takes electron or browser, not ${escapeDisplay(values.shell)}`);
    }
    o.shell = values.shell;
  }
  const toStdout = [o.dot && '--dot', o.json && '--json', o.output === '-' && '--output -'];
  const clash = toStdout.filter(Boolean);
  if (clash.length > 1)
    throw new UsageError(`${clash.join(' and ')}: only one of them can print to stdout`);
  if (o.output === '') throw new UsageError('--output needs a file name');
  if (o.open === '') throw new UsageError('--open needs a file name');
  if (o.net && o.details)
    throw new UsageError('--net and --details draw different graphs: pick one');
  if (values.overview && values.full)
    throw new UsageError('--overview and --full ask for opposite drawings: pick one');
  if (o.net && o.overview !== 'auto')
    throw new UsageError('--overview and --full are for the hierarchy, not --net');
  if (o.shell !== undefined && (o.dot || o.json || o.output !== undefined)) {
    throw new UsageError('--shell is for the viewer, not with --dot, --json or --output');
  }
  return o;
}

// discovery (koffi, the ioctls) and layout (Graphviz WASM) load only when used: a
// snapshot needs no kernel, and --dot/--json need no Graphviz

/**
 * A live scan. `series` marks a scan the viewer will repeat: each of its
 * scans after the first skips what cannot have changed since the last.
 */
async function discoverLive(io: Io, series?: DiscoverySeries, net = false): Promise<Model> {
  const { discover } = await import('../main/discover');
  let model: Model;
  try {
    model = series ? series.scan() : discover({ net });
  } catch (err) {
    throw new CliError(`discovery failed: ${(err as Error).message}`);
  }
  const shown = model.warnings.slice(0, MAX_WARNINGS);
  for (const w of shown) io.stderr.write(`graphns: warning: ${escapeDisplay(w)}\n`);
  const rest = model.warnings.length - shown.length;
  if (rest > 0) io.stderr.write(`graphns: ... and ${rest} more warnings (all of them in --json)\n`);
  return model;
}

/** Refuse an unwritable --output before a scan and a layout that would be wasted. */
async function checkOutput(path: string): Promise<void> {
  // the file module alone: the check needs no Graphviz
  const { checkOutputTarget, OutputFileError } = await import('../main/layout/file');
  try {
    checkOutputTarget(path);
  } catch (err) {
    if (err instanceof OutputFileError) throw new CliError(err.message);
    throw err;
  }
}

/** The overview's one-line note on stderr: why, what is drawn, how to get everything. */
function overviewNote(o: OverviewNote, io: Io): void {
  const n = thousands;
  const why = o.forced ? '' : ' (too many to lay out in seconds)';
  const hid = [o.grouped && `${n(o.grouped)} in groups`, o.folded && `${n(o.folded)} folded`];
  io.stderr.write(
    `graphns: ${n(o.total)} namespaces${why}: drawing the overview, ${n(o.drawn)} drawn, ` +
      `${hid.filter(Boolean).join(', ') || 'nothing hidden'}; --full draws every one\n`,
  );
}

/** Lay `drawing` out, telling a watching user when a big graph takes a while. */
async function layOut(drawing: DotDrawing, drawn: number, io: Io): Promise<string> {
  const tty = io.stderr.isTTY === true;
  // the WASM layout is synchronous, so no timer can fire during it: announce big graphs up front
  if (tty && drawn >= SLOW_LAYOUT_NODES) {
    io.stderr.write(`graphns: laying out ${drawn} namespaces, this takes a few seconds...\n`);
  }
  const { dotToSvg, preferFastStartup } = await import('../main/layout');
  preferFastStartup();
  const start = performance.now();
  const svg = await dotToSvg(drawing.dot);
  const seconds = (performance.now() - start) / 1000;
  if (tty && seconds > 1) {
    io.stderr.write(`graphns: layout of ${drawn} namespaces took ${seconds.toFixed(1)} s\n`);
  }
  return svg;
}

/**
 * The SVG of `drawing` (of `all` namespaces when drawn in full): laid out, or, when Graphviz cannot lay out a full
 * drawing (its WASM stack or memory), the overview's, with a note. The
 * drawing laid out comes back too: --dot prints that one.
 */
async function svgOf(
  all: number,
  drawing: DotDrawing,
  redraw: (mode: OverviewMode) => DotDrawing,
  io: Io,
): Promise<{ svg: string; drawing: DotDrawing }> {
  const { LayoutError } = await import('../main/layout');
  const drawn = drawing.overview?.drawn ?? all;
  try {
    return { svg: await layOut(drawing, drawn, io), drawing };
  } catch (err) {
    if (!(err instanceof LayoutError)) throw err;
    // a drawing too large for Graphviz (its stack, its memory), not a Graphviz that cannot load
    if (drawing.overview || !tooLarge(err.kind)) throw new CliError(err.message);
    io.stderr.write(`graphns: cannot lay out all ${all} namespaces: ${err.message}\n`);
    const overview = redraw('on');
    if (overview.overview) overviewNote(overview.overview, io);
    try {
      return {
        svg: await layOut(overview, overview.overview?.drawn ?? drawn, io),
        drawing: overview,
      };
    } catch (again) {
      if (again instanceof LayoutError) throw new CliError(again.message);
      throw again;
    }
  }
}

/** Write `svg` to `path` (- for stdout), atomically. */
async function writeSvg(svg: string, path: string, io: Io): Promise<void> {
  const { OutputFileError, writeFileAtomic } = await import('../main/layout');
  if (path === '-') return writeTo(io.stdout, svg);
  try {
    writeFileAtomic(path, svg);
  } catch (err) {
    if (err instanceof OutputFileError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The desktop viewer: it asks for the graph at start and on every `r`/F5;
 * each answer is a rescan here (what a fresh discovery finds, reusing what
 * cannot have changed since the last one), or a fresh read of --open's file.
 * A snapshot is checked before any window opens (while the viewer's shell
 * starts), so a bad one is a one-line error and exit 1, not an empty
 * window; that first read is the first graph. stdin can only be read once,
 * so its model is kept.
 */
async function viewer(o: Options, io: Io): Promise<number> {
  let load: () => Model | Promise<Model>;
  let ready: Promise<Model> | undefined;
  let series: DiscoverySeries | undefined;
  let handOver: { name: string; text: () => string } | undefined;
  if (o.open === undefined) {
    // `r`, F5 (and any live refresh) rescan: the scan queue runs one load at a time
    const { discoverySeries } = await import('../main/discover');
    // with the wiring: the window's wiring view (n) needs it, and it costs a tenth of a
    // millisecond per network namespace (docs/BENCHMARKS.md)
    const scans = (series = discoverySeries({ net: true }));
    load = () => discoverLive(io, scans);
  } else {
    const path = o.open;
    // read here, as the user who ran graphns: a window already open gets the text, never the path
    let text = '';
    const first = readSnapshot(path, io)
      .then((t) => loadSnapshot(path, (text = t)))
      .then((m) => (o.net ? withInterfaces(m, path) : m));
    handOver = { name: snapshotName(path), text: () => text };
    first.catch(() => undefined); // openViewer reports it (as ready)
    ready = first;
    let read = false;
    load = async () => {
      if (path === '-' || !read) return ((read = true), first);
      return loadSnapshot(path, await readSnapshot(path, io));
    };
  }
  const { openViewer } = await import('../main/shell');
  try {
    return await openViewer({
      shell: o.shell,
      details: o.details,
      net: o.net,
      load,
      ...(o.overview !== 'auto' && { overviewMode: o.overview }),
      toDot: (m, d) => (d.net ? { dot: modelToNetDot(m) } : drawDot(m, d)),
      ready,
      ...(o.open !== undefined && { snapshotName: snapshotName(o.open), handOver }),
    });
  } finally {
    series?.close(); // the /proc files its scans kept open
  }
}

/** The name a snapshot is shown by: its file's name (`stdin` for -), never a path. */
export function snapshotName(path: string): string {
  if (path === '-') return 'stdin';
  const name = basename(path);
  return name === '' || name === '.' || name === '..' ? 'snapshot' : name.slice(0, 255);
}

/** `model`, a snapshot read from `path`, for the wiring: refused when it carries no interfaces. */
function withInterfaces(model: Model, path: string): Model {
  if (!model.namespaces.some((n) => n.interfaces))
    throw new CliError(
      `${escapeDisplay(path)} has no interfaces: take the snapshot with graphns --net -J or lsnetns -J`,
    );
  return model;
}

async function graphns(argv: string[], io: Io): Promise<number> {
  const o = parse(argv);
  if (o.help) {
    await writeTo(io.stdout, `${HELP}\n`);
    return EXIT.ok;
  }
  if (!o.dot && !o.json && o.output === undefined) return viewer(o, io);
  if (o.output !== undefined && o.output !== '-') await checkOutput(o.output);
  const model =
    o.open !== undefined
      ? loadSnapshot(o.open, await readSnapshot(o.open, io))
      : await discoverLive(io, undefined, o.net);
  if (o.net && o.open !== undefined) withInterfaces(model, o.open);
  const redraw = (overview: OverviewMode): DotDrawing =>
    o.net ? { dot: modelToNetDot(model) } : drawDot(model, { details: o.details, overview });
  let drawing: DotDrawing = o.dot || o.output !== undefined ? redraw(o.overview) : { dot: '' };
  if (drawing.overview) overviewNote(drawing.overview, io);
  // write the file first, so a failure there does not leave half a pipeline's output
  if (o.output !== undefined) {
    // what a full drawing draws: every namespace with -d, else the user and PID ones
    const all = o.details
      ? model.namespaces.length
      : model.namespaces.filter((n) => n.type === 'user' || n.type === 'pid').length;
    const laidOut = await svgOf(all, drawing, redraw, io);
    drawing = laidOut.drawing;
    await writeSvg(laidOut.svg, o.output, io);
  }
  if (o.dot) await writeTo(io.stdout, drawing.dot);
  if (o.json) await writeTo(io.stdout, `${serializeModel(model, 2)}\n`);
  return EXIT.ok;
}

/** Run graphns with `argv` (without node and script) on `io`; resolves with the exit code. */
export function main(argv: string[], io: Io = process): Promise<number> {
  return runCommand('graphns', `${USAGE}\n`, () => graphns(argv, io), io);
}
