/**
 * The bundled viewer page (dist/renderer) as both shells serve it: a fixed
 * set of files read once, each with its type, and the Content-Security-
 * Policy sent with them. Nothing outside this set is ever served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The page's Content-Security-Policy: its own scripts and styles only,
 * WASM compilation for Graphviz, no remote anything. index.html carries the
 * same policy in a meta tag; as a header it also covers the worker.
 */
export const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; worker-src 'self'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** A file the shells hand out. */
export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'main.js': 'text/javascript; charset=utf-8',
  'worker.js': 'text/javascript; charset=utf-8',
  'find-worker.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  // Graphviz, fetched by worker.js; streaming compilation requires exactly this type
  'graphviz.wasm': 'application/wasm',
};

/** The page's files from `dir`, keyed by URL path (`/index.html`, ...). */
export function loadAssets(dir: string): ReadonlyMap<string, Asset> {
  return new Map(
    Object.entries(TYPES).map(([name, type]) => [
      `/${name}`,
      { type, body: readFileSync(join(dir, name)) },
    ]),
  );
}

/** The asset for a URL path (`/` is the page), or undefined. */
export function assetFor(assets: ReadonlyMap<string, Asset>, path: string): Asset | undefined {
  return assets.get(path === '/' ? '/index.html' : path);
}
