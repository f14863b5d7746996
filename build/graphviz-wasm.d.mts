// Types of build/graphviz-wasm.mjs for the tests that use it.
import type { Plugin } from 'esbuild';

export const WRITTEN_FOR: string;
export const WASM_NAME: string;
export class ShapeError extends Error {}

export interface GraphvizLibrary {
  version: string;
  path: string;
  source: string;
  embed: { match: string; index: number; textVar: string; text: string; cache: string };
  fileName: { match: string; index: number; getter: string };
  random: { match: string; index: number; arg: string };
}

export function readGraphvizLibrary(root: string): GraphvizLibrary;
export function inspectGraphvizLibrary(
  source: string,
  version: string,
  path: string,
): GraphvizLibrary;
export function decodeGraphvizWasm(lib: GraphvizLibrary): Promise<Buffer>;
export function patchGraphvizLibrary(
  lib: GraphvizLibrary,
  platform: 'node' | 'browser',
  nodeLoader?: string,
): string;
export function graphvizWasmPlugin(
  lib: GraphvizLibrary,
  platform: 'node' | 'browser',
  nodeLoader?: string,
): Plugin;
