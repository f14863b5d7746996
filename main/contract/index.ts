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
export const CHANNELS = {
  getGraph: 'graphns:getGraph',
  rediscover: 'graphns:rediscover',
  saveSvg: 'graphns:saveSvg',
  quit: 'graphns:quit',
  windowBounds: 'graphns:windowBounds',
} as const;

/** One of the contract's requests. */
export type Channel = keyof typeof CHANNELS;

/** Every channel, in a fixed order. */
export const CHANNEL_NAMES: readonly Channel[] = [
  'getGraph',
  'rediscover',
  'saveSvg',
  'quit',
  'windowBounds',
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
  /** The model in its one JSON form (serializeModel), for panels. */
  modelJson: string;
  /** Window title, e.g. `graphns — host`. */
  title: string;
  /** Number of namespaces drawn, for the busy indicator and the status line. */
  namespaces: number;
  /** What discovery could not see, in plain words. */
  warnings: string[];
}

/** A graph that could not be produced (discovery or snapshot failure). */
export interface GraphFailure {
  ok: false;
  error: string;
}

/** The answer to getGraph and rediscover. */
export type GraphResult = GraphPayload | GraphFailure;

/** The answer to saveSvg: where the file went, or why it did not. */
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

/** Request and response type of each channel. */
export interface ContractMap {
  getGraph: { request: void; response: GraphResult };
  rediscover: { request: void; response: GraphResult };
  saveSvg: { request: string; response: SaveResult };
  quit: { request: void; response: void };
  windowBounds: { request: WindowBounds; response: void };
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
  /** Close the viewer and end graphns. */
  quit(): Promise<void>;
  /** Where the window is now, so the next run opens it there (the seed's viewer did). */
  windowBounds(bounds: WindowBounds): Promise<void>;
}

/** Largest SVG text the Node side accepts for saving (UTF-16 code units). */
export const MAX_SVG_CHARS = 64 * 1024 * 1024;

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
