/**
 * The shell host's view of the privileged side: the current graph and a
 * way to ask for a new one, over the pipe (pipe.ts). Used by the browser
 * shell in the host and by the Electron main process.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GraphResult } from '../contract';
import { LineChannel, parseGraphMessage } from './pipe';

/** The graph source a shell serves the page from. */
export interface GraphBroker {
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

  const channel = new LineChannel(stream, (line) => {
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
    resolveFirst(gone);
    for (const w of waiting.values()) w(gone);
    waiting.clear();
  });

  return {
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
