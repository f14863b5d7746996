/**
 * The viewer contract: the one typed interface between the renderer (the
 * page) and the Node side that serves it. Channel names, what each request
 * carries and what it answers. Both shells implement it: the Electron
 * preload exposes one function per channel as `window.graphns`, and the
 * browser-fallback server answers `POST api/<channel>` with the same
 * payloads. Pure: no Node, no DOM, so the page, the preload, the main-side
 * handlers and the server all import this same module.
 */

/** Channel names, used as Electron IPC channels and as HTTP paths (`api/<name>`). */
import type { OverviewNote } from '../emit/overview';

export const CHANNELS = {
  getGraph: 'graphns:getGraph',
  rediscover: 'graphns:rediscover',
  saveSvg: 'graphns:saveSvg',
  savePng: 'graphns:savePng',
  quit: 'graphns:quit',
  windowBounds: 'graphns:windowBounds',
  nextSnapshot: 'graphns:nextSnapshot',
} as const;

/** One of the contract's requests. */
export type Channel = keyof typeof CHANNELS;

/** Every channel, in a fixed order. */
export const CHANNEL_NAMES: readonly Channel[] = [
  'getGraph',
  'rediscover',
  'saveSvg',
  'savePng',
  'quit',
  'windowBounds',
  'nextSnapshot',
];

/** What the page needs to draw: the graph as DOT, the model it came from, a title. */
export interface GraphPayload {
  ok: true;
  /** Graphviz DOT text, laid out by the page. */
  dot: string;
  /**
   * Whether `dot` draws the flat namespaces (`-d`): where the page's
   * "flat namespaces" toggle starts. Absent means no.
   */
  details?: boolean;
  /**
   * Whether `dot` draws the network wiring (`graphns --net`) instead of
   * the hierarchy: where the page's wiring view starts. Absent means no.
   */
  net?: boolean;
  /**
   * How the command line asked for the overview (`--overview`: on,
   * `--full`: off); absent means auto, by the graph's size. Where the
   * page's overview switch starts.
   */
  overviewMode?: 'on' | 'off';
  /** Set when `dot` is the overview (main/emit/overview.ts): what it draws and hides. */
  overview?: OverviewNote;
  /** The model in its one JSON form (serializeModel), for panels. */
  modelJson: string;
  /** Window title, e.g. `graphns — host`. */
  title: string;
  /** Number of namespaces drawn, for the busy indicator and the status line. */
  namespaces: number;
  /** What discovery could not see, in plain words. */
  warnings: string[];
  /**
   * The file name (no directory) of the snapshot the Node side draws
   * (`graphns --open FILE`); absent for a live scan. For the page's words
   * only (`r` reads that file again): the page never sends a name back.
   */
  snapshot?: string;
}

/** A graph that could not be produced (discovery or snapshot failure). */
export interface GraphFailure {
  ok: false;
  error: string;
}

/** The answer to getGraph and rediscover. */
export type GraphResult = GraphPayload | GraphFailure;

/** The answer to saveSvg and savePng: where the file went, or why it did not. */
export interface SaveResult {
  saved: boolean;
  /** Absolute path of the written file, when saved. */
  path?: string;
  /** Why nothing was saved (absent when the user cancelled a dialog). */
  error?: string;
}

/** A window rectangle in screen pixels, to be remembered for the next run. */
export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A snapshot another `graphns --open FILE` handed to this window (the
 * second process read the file as the user who ran it and checked it; the
 * page checks it again, as it checks a file dropped on it).
 */
export interface HandedSnapshot {
  /** The file's name, without its directory, for the page's words only. */
  name: string;
  /** The snapshot's text (graphns -J), at most SNAPSHOT_MAX_BYTES bytes of UTF-8. */
  text: string;
}

/**
 * The largest snapshot read: by `--open` (a file or stdin), by the page
 * (a file dropped on the window or chosen in its file chooser) and by a
 * window a second `graphns --open` hands one to. A real one is about 1 KiB
 * per namespace and process (a host with 2000 namespaces and 10000
 * processes: under 10 MiB), so this is far above any host, yet bounds the
 * memory a wrong file costs.
 */
export const SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;

/** Longest name of a handed-over snapshot (a file name: 255 bytes on Linux filesystems). */
export const MAX_SNAPSHOT_NAME = 255;

/** Request and response type of each channel. */
export interface ContractMap {
  getGraph: { request: void; response: GraphResult };
  rediscover: { request: void; response: GraphResult };
  saveSvg: { request: string; response: SaveResult };
  savePng: { request: string; response: SaveResult };
  quit: { request: void; response: void };
  windowBounds: { request: WindowBounds; response: void };
  nextSnapshot: { request: void; response: HandedSnapshot | null };
}

/**
 * The contract as the page sees it. The Electron preload exposes exactly
 * this object as `window.graphns`; the page's fetch adapter implements it
 * over HTTP.
 */
export interface ViewerApi {
  /** The graph to show first. */
  getGraph(): Promise<GraphResult>;
  /** Discover again (privileged side) and answer the new graph. */
  rediscover(): Promise<GraphResult>;
  /** Save this SVG text; the Node side alone decides where. */
  saveSvg(svgText: string): Promise<SaveResult>;
  /** Save this PNG (its bytes in base64); the Node side alone decides where, as for SVG. */
  savePng(pngBase64: string): Promise<SaveResult>;
  /** Close the viewer and end graphns. */
  quit(): Promise<void>;
  /** Where the window is now, so the next run opens it there (the seed's viewer did). */
  windowBounds(bounds: WindowBounds): Promise<void>;
  /**
   * The next snapshot a second `graphns --open` hands to this window;
   * null when none came for a while (NEXT_SNAPSHOT_WAIT_MS: ask again).
   */
  nextSnapshot(): Promise<HandedSnapshot | null>;
}

/**
 * How long a nextSnapshot request waits for a snapshot before it answers
 * null (the page asks again at once): shorter than any HTTP timeout on the
 * way, long enough that an idle window asks twice a minute.
 */
export const NEXT_SNAPSHOT_WAIT_MS = 25_000;

/** Largest SVG text the Node side accepts for saving (UTF-16 code units). */
export const MAX_SVG_CHARS = 64 * 1024 * 1024;

/**
 * Largest PNG the Node side accepts for saving, in bytes. Its base64 is then
 * at most MAX_SVG_CHARS characters, so a PNG request is no larger than the
 * largest SVG one (the browser server's body limit holds both).
 */
export const MAX_PNG_BYTES = 48 * 1024 * 1024;

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A request that breaks the contract (wrong argument type or size). */
export class ContractError extends Error {
  override name = 'ContractError';
}

/** True when `name` is one of the contract's channels. */
export function isChannel(name: string): name is Channel {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

/**
 * Check the argument of saveSvg: a string of bounded size holding an
 * `<svg` element. The content is only ever written to a file, never
 * interpreted, so this is a sanity check, not a sanitizer.
 * @throws ContractError
 */
export function checkSvgText(arg: unknown): string {
  if (typeof arg !== 'string') throw new ContractError('saveSvg expects the SVG text');
  if (arg.length > MAX_SVG_CHARS) throw new ContractError('SVG text too large');
  if (!/<svg[\s>]/.test(arg)) throw new ContractError('not SVG text');
  return arg;
}

/**
 * Check the argument of savePng: base64 text (standard alphabet, padded) of
 * at most MAX_PNG_BYTES bytes, starting with the PNG signature's encoding.
 * The bytes themselves are checked after decoding (checkPngBytes).
 * @throws ContractError
 */
export function checkPngBase64(arg: unknown): string {
  if (typeof arg !== 'string') throw new ContractError('savePng expects the PNG as base64 text');
  if (arg.length > (MAX_PNG_BYTES / 3) * 4) throw new ContractError('PNG too large');
  // 'iVBORw0KGgo' is the base64 of the signature; the alphabet check keeps
  // Node's lenient decoder from skipping anything
  if (arg.length % 4 !== 0 || !/^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$/.test(arg)) {
    throw new ContractError('not a PNG in base64');
  }
  return arg;
}

/**
 * Check decoded PNG bytes: the signature, then an IHDR chunk of 13 bytes
 * with a width and height of at least 1, and an IEND chunk at the very end.
 * Not a decoder: the bytes are only ever written to a file.
 * @throws ContractError
 */
export function checkPngBytes(bytes: Uint8Array): { width: number; height: number } {
  const at = (i: number) => bytes[i] ?? -1;
  const u32 = (i: number) =>
    ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
  const ascii = (i: number) => String.fromCharCode(at(i), at(i + 1), at(i + 2), at(i + 3));
  if (bytes.length < 8 + 25 + 12 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new ContractError('not a PNG (no PNG signature)');
  }
  if (u32(8) !== 13 || ascii(12) !== 'IHDR') throw new ContractError('not a PNG (no IHDR first)');
  const width = u32(16);
  const height = u32(20);
  if (width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new ContractError('not a PNG (bad size)');
  }
  const end = bytes.length - 12;
  if (u32(end) !== 0 || ascii(end + 4) !== 'IEND')
    throw new ContractError('not a PNG (no IEND last)');
  return { width, height };
}

/**
 * Check that a request without arguments carries none.
 * @throws ContractError
 */
export function checkNoArgument(channel: Channel, arg: unknown): void {
  if (arg !== undefined && arg !== null) {
    throw new ContractError(`${channel} takes no argument`);
  }
}

const inRange = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** `v` as sane window bounds (integers, a usable size), or undefined. */
export function saneWindowBounds(v: unknown): WindowBounds | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (
    inRange(o.x, -100_000, 100_000) &&
    inRange(o.y, -100_000, 100_000) &&
    inRange(o.width, 200, 20_000) &&
    inRange(o.height, 150, 20_000)
  ) {
    return { x: o.x, y: o.y, width: o.width, height: o.height };
  }
  return undefined;
}

/**
 * Check the argument of windowBounds.
 * @throws ContractError
 */
export function checkWindowBounds(arg: unknown): WindowBounds {
  const b = saneWindowBounds(arg);
  if (!b) throw new ContractError('windowBounds expects {x, y, width, height} in pixels');
  return b;
}

/**
 * Check a handed-over snapshot's name: a file name (no `/`, no NUL, not
 * `.` or `..`) of at most MAX_SNAPSHOT_NAME characters. Shown escaped,
 * never used as a path.
 * @throws ContractError
 */
export function checkSnapshotName(arg: unknown): string {
  if (typeof arg !== 'string' || arg === '' || arg.length > MAX_SNAPSHOT_NAME) {
    throw new ContractError('a snapshot name is a file name of 1 to 255 characters');
  }
  if (/[/\0]/.test(arg) || arg === '.' || arg === '..') {
    throw new ContractError('a snapshot name is a file name, without a directory');
  }
  return arg;
}
