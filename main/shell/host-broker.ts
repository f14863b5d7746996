/**
 * A shell's view of the privileged side: the current graph and a way to
 * ask for a new one. Over the pipe (pipe.ts) in the shell host and in the
 * Electron main process; in graphns's own process when no privilege drop
 * separates the window from discovery (localBroker).
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GraphResult } from '../contract';
import { LineChannel, OPEN_LINE, parseGraphMessage } from './pipe';
import { scanQueue } from './scans';

/** The graph source a shell serves the page from. */
export interface GraphBroker {
  /**
   * Resolves when the window may open (the privileged side's `open`);
   * rejects when the privileged side went away first (its input did not
   * check out, or it ended).
   */
  opened(): Promise<void>;
  /** The latest graph (waits for the first one). */
  current(): Promise<GraphResult>;
  /** Ask for a fresh discovery; resolves with the new graph. */
  rediscover(): Promise<GraphResult>;
  /** Call `f` when the privileged side has gone. */
  onClose(f: () => void): void;
  /** Hang up. */
  close(): void;
}

/** A broker over the pipe to the privileged side. */
export function pipeBroker(stream: Duplex): GraphBroker {
  let latest: Promise<GraphResult> | undefined;
  let resolveFirst: (r: GraphResult) => void = () => undefined;
  const first = new Promise<GraphResult>((r) => (resolveFirst = r));
  const waiting = new Map<number, (r: GraphResult) => void>();
  let next = 1;
  let closed = false;
  let open: { resolve(): void; reject(err: Error): void } = { resolve() {}, reject() {} };
  const opened = new Promise<void>((resolve, reject) => (open = { resolve, reject }));
  opened.catch(() => undefined); // not every shell waits for it (Electron's main does not)

  const channel = new LineChannel(stream, (line) => {
    if (line === OPEN_LINE) return open.resolve();
    const m = parseGraphMessage(line);
    if (!m) return;
    latest = Promise.resolve(m.result);
    if (m.id === 0) resolveFirst(m.result);
    // the privileged side coalesces: one scan answers every request up to its id
    for (const [id, w] of waiting) {
      if (id <= m.id) {
        w(m.result);
        waiting.delete(id);
      }
    }
  });
  const gone: GraphResult = { ok: false, error: 'graphns (the discovering side) has ended' };
  channel.onClose(() => {
    closed = true;
    open.reject(new Error(gone.error));
    resolveFirst(gone);
    for (const w of waiting.values()) w(gone);
    waiting.clear();
  });

  return {
    opened: () => opened,
    current: () => latest ?? first,
    rediscover: () => {
      if (closed) return Promise.resolve(gone);
      const id = next++;
      const answer = new Promise<GraphResult>((r) => waiting.set(id, r));
      channel.send({ t: 'rediscover', id });
      return answer;
    },
    onClose: (f) => channel.onClose(f),
    close: () => {
      channel.close();
      stream.destroy();
    },
  };
}

/**
 * A broker over an fd this process inherited: the shell host's and
 * Electron's main process's fd 3 (electron-plan.ts PIPE_FD).
 */
export function fdBroker(fd: number): GraphBroker {
  return pipeBroker(new Socket({ fd, readable: true, writable: true }));
}

/**
 * A broker over `scan` in this very process: graphns's own, when it runs
 * the browser shell itself (no privilege drop, so no host between). The
 * same scan queue as across the pipe (scans.ts): one scan running, one
 * pending, which answers every request that came meanwhile. The first scan
 * starts on `start()`, once the browser is on its way, so that discovery
 * never delays its start.
 */
export function localBroker(scan: () => Promise<GraphResult>): GraphBroker & { start(): void } {
  const waiting = new Map<number, (r: GraphResult) => void>();
  let latest: Promise<GraphResult> = new Promise((r) => waiting.set(0, r));
  let next = 1;
  let started = false;
  const request = scanQueue(scan, (upTo, result) => {
    latest = Promise.resolve(result);
    for (const [id, w] of waiting) {
      if (id <= upTo) {
        w(result);
        waiting.delete(id);
      }
    }
  });
  return {
    start: () => {
      if (!started) request(0);
      started = true;
    },
    opened: () => Promise.resolve(),
    current: () => latest,
    rediscover: () => {
      const id = next++;
      const answer = new Promise<GraphResult>((r) => waiting.set(id, r));
      request(id);
      return answer;
    },
    // the discovering side is this process: it cannot go away first
    onClose: () => undefined,
    close: () => request.close(),
  };
}
