/**
 * The contract's request handlers, shared by both shells: the browser
 * server calls them for `POST api/<channel>`, the Electron main process for
 * `ipcMain.handle(channel)`. Each checks its argument against the contract
 * before the shell-specific backend sees it.
 */
import {
  checkNoArgument,
  checkPngBase64,
  checkPngBytes,
  checkSvgText,
  checkWindowBounds,
  type Channel,
  type ContractMap,
  type GraphResult,
  type HandedSnapshot,
  type SaveResult,
  type WindowBounds,
} from '../contract';

/** What a shell provides behind the contract. */
export interface ShellBackend {
  /** The current graph (the first one, until a rediscovery replaces it). */
  graph(): Promise<GraphResult>;
  /** Ask the privileged side to discover again. */
  rediscover(): Promise<GraphResult>;
  /** Save SVG text where this shell's save policy says. */
  save(svgText: string): Promise<SaveResult>;
  /** Save PNG bytes (already checked to be a PNG) under the same policy. */
  savePng(png: Uint8Array): Promise<SaveResult>;
  /** End the viewer (after the answer is sent). */
  quit(): void;
  /** Remember where the window is (the Electron shell records its own bounds and ignores this). */
  rememberBounds(bounds: WindowBounds): void;
  /**
   * The next snapshot a second `graphns --open` handed to this window
   * (handoff.ts), or null after a while without one. A shell without
   * one answers null at once (the page then asks again only much later).
   */
  nextSnapshot?(): Promise<HandedSnapshot | null>;
}

/** One handler per channel; `arg` is whatever the page sent, unchecked. */
export type Handlers = {
  [C in Channel]: (arg: unknown) => Promise<ContractMap[C]['response']>;
};

/** The handler table over `backend`. Handlers throw ContractError on a bad argument. */
export function createHandlers(backend: ShellBackend): Handlers {
  return {
    getGraph: async (arg) => {
      checkNoArgument('getGraph', arg);
      return backend.graph();
    },
    rediscover: async (arg) => {
      checkNoArgument('rediscover', arg);
      return backend.rediscover();
    },
    saveSvg: async (arg) => backend.save(checkSvgText(arg)),
    savePng: async (arg) => {
      const png = Buffer.from(checkPngBase64(arg), 'base64');
      checkPngBytes(png);
      return backend.savePng(png);
    },
    quit: async (arg) => {
      checkNoArgument('quit', arg);
      backend.quit();
    },
    windowBounds: async (arg) => backend.rememberBounds(checkWindowBounds(arg)),
    nextSnapshot: async (arg) => {
      checkNoArgument('nextSnapshot', arg);
      return backend.nextSnapshot ? backend.nextSnapshot() : null;
    },
  };
}

// The IPC sender check lives with the page's address (app-scheme.ts); kept
// importable from here, where the handlers it guards are.
export { isTrustedSender } from './app-scheme';
