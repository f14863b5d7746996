/**
 * The pipe between the privileged side (the graphns process, which
 * discovers) and the shell host (which shows the window, possibly as
 * another user): newline-delimited JSON over the child's fd 3.
 *
 * The privileged side sends graphs (after one `open`); the host sends one kind of request,
 * `rediscover`. The privileged side parses what it receives strictly and
 * ignores anything else, so a compromised window can ask for nothing but a
 * fresh discovery.
 */
import type { Duplex } from 'node:stream';
import type { GraphResult } from '../contract';

/** Privileged side -> host: a graph, answering request `id` (0: the first graph). */
export interface GraphMessage {
  t: 'graph';
  id: number;
  result: GraphResult;
}

/**
 * Privileged side -> host: the window may open now (the input, say a
 * snapshot, checked out). graphns starts the host before it has checked
 * its input, so that the two overlap; a host of the browser shell starts
 * the browser only on this. Sent once, before any graph.
 */
export interface OpenMessage {
  t: 'open';
}

/** The one line an OpenMessage is. */
export const OPEN_LINE = JSON.stringify({ t: 'open' } satisfies OpenMessage);

/** Host -> privileged side: discover again. The only request there is. */
export interface RediscoverMessage {
  t: 'rediscover';
  id: number;
}

/** Longest line the privileged side reads from the host. */
export const MAX_REQUEST_LINE = 256;

/**
 * The one request the privileged side accepts, or undefined for anything
 * else (wrong shape, extra fields, too long).
 */
export function parseRequest(line: string): RediscoverMessage | undefined {
  if (line.length > MAX_REQUEST_LINE) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length !== 2 || o.t !== 'rediscover') return undefined;
  if (typeof o.id !== 'number' || !Number.isSafeInteger(o.id) || o.id <= 0) return undefined;
  return { t: 'rediscover', id: o.id };
}

/** A graph message from the privileged side, or undefined when malformed. */
export function parseGraphMessage(line: string): GraphMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  const o = v as Partial<GraphMessage> | null;
  if (!o || o.t !== 'graph' || typeof o.id !== 'number') return undefined;
  const r = o.result as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return undefined;
  const good =
    r.ok === true
      ? typeof r.dot === 'string' &&
        typeof r.modelJson === 'string' &&
        typeof r.title === 'string' &&
        typeof r.namespaces === 'number' &&
        (r.details === undefined || typeof r.details === 'boolean') &&
        (r.net === undefined || typeof r.net === 'boolean') &&
        (r.snapshot === undefined || typeof r.snapshot === 'string') &&
        Array.isArray(r.warnings)
      : r.ok === false && typeof r.error === 'string';
  return good ? (o as GraphMessage) : undefined;
}

/** Newline-delimited JSON over a duplex stream. */
export class LineChannel {
  #stream: Duplex;
  #buffer = '';
  #maxLine: number;

  /**
   * @param maxLine longest line accepted; a longer one closes the channel
   *   (the peer is broken or hostile).
   */
  constructor(stream: Duplex, onLine: (line: string) => void, maxLine = Infinity) {
    this.#stream = stream;
    this.#maxLine = maxLine;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        if (line) onLine(line);
      }
      if (this.#buffer.length > this.#maxLine) {
        this.#buffer = '';
        stream.destroy(new Error('line too long on the viewer pipe'));
      }
    });
    stream.on('error', () => undefined);
  }

  /** Send one message as a line of JSON. */
  send(message: GraphMessage | OpenMessage | RediscoverMessage): void {
    if (!this.#stream.writableEnded && !this.#stream.destroyed) {
      this.#stream.write(`${JSON.stringify(message)}\n`);
    }
  }

  /** Call `f` once when the other end goes away. */
  onClose(f: () => void): void {
    let done = false;
    const once = () => {
      if (!done) {
        done = true;
        f();
      }
    };
    this.#stream.on('close', once);
    this.#stream.on('end', once);
  }

  /** Close our end. */
  close(): void {
    this.#stream.end();
  }
}
