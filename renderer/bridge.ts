/**
 * The page's one way to the Node side: the contract's ViewerApi, from the
 * Electron preload (`window.graphns`) when present, else over HTTP to the
 * browser-fallback server (`POST api/<channel>`, same origin; the session
 * cookie the server set at launch authenticates each request).
 */
import { CHANNELS, type Channel, type ViewerApi } from '../main/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser shell. */
    graphns?: ViewerApi;
  }
}

async function call<T>(channel: Channel, arg?: unknown): Promise<T> {
  const res = await fetch(`api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ arg: arg ?? null }),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`${CHANNELS[channel]}: HTTP ${res.status} ${await res.text()}`);
  // bytes, then one decode and one parse: Response.json() took 80-170 ms of the
  // main thread for a 3 MB answer at 5000 namespaces, this 45 (the server
  // sends ASCII, which decodes 4-5 times faster than UTF-8: asciiJson)
  return JSON.parse(new TextDecoder().decode(await res.arrayBuffer())) as T;
}

/** The HTTP implementation of the contract, for the browser shell. */
export const httpApi: ViewerApi = {
  getGraph: () => call('getGraph'),
  rediscover: () => call('rediscover'),
  saveSvg: (svgText) => call('saveSvg', svgText),
  savePng: (pngBase64) => call('savePng', pngBase64),
  quit: () => call('quit'),
  windowBounds: (bounds) => call('windowBounds', bounds),
  nextSnapshot: () => call('nextSnapshot'),
};

/** The contract implementation for this page: the preload's, else HTTP. */
export function connect(): ViewerApi {
  return window.graphns ?? httpApi;
}
