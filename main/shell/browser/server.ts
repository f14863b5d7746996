/**
 * The browser shell's loopback server: serves the bundled viewer page and
 * answers the contract (`POST api/<channel>`) on 127.0.0.1, random port.
 *
 * Who may talk to it, in three independent locks:
 * 1. The connecting socket must belong to the window's uid (peer.ts reads
 *    the owner of the client's socket from /proc/net/tcp): another local
 *    user is disconnected before a byte is read.
 * 2. The launch secret never appears on a command line. The browser is
 *    started on a launch page in its private (0700) profile directory
 *    (launchPage(), written by run.ts), which sends it to
 *    `/launch/<token>`; the token works once and is exchanged for a
 *    session cookie (HttpOnly, SameSite=Strict), set on the answer (the
 *    viewer page itself), that every later request must carry.
 * 3. Every request must name `127.0.0.1:<port>` as Host (no DNS
 *    rebinding) and, when the browser says where it comes from (Origin,
 *    Sec-Fetch-Site), come from the page itself; the launch request alone
 *    comes from the file:// launch page, a different site. API calls must
 *    be POSTs of exactly `application/json` (no form CSRF).
 * Anything else: 403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { ContractError, MAX_SVG_CHARS, isChannel } from '../../contract';
import { assetFor, CSP, type Asset } from '../assets';
import type { Handlers } from '../handlers';
import { peerUid } from './peer';

const COOKIE = 'graphns_session';
const MAX_BODY = MAX_SVG_CHARS * 3 + 1024; // UTF-8 of the largest SVG, JSON-quoted

/** A running server. */
export interface ViewerServer {
  /**
   * The launch page: an HTML document that sends the browser to
   * `/launch/<token>` (valid once). It holds the secret: write it only
   * where no one but the window's user can read it.
   */
  launchPage: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...extra,
    'Content-Type': type,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * JSON in ASCII alone: every character from U+007F up written as a `\uXXXX`
 * escape (JSON.stringify already escapes lone surrogates). The page decodes
 * an answer on its main thread, and Chromium decodes UTF-8 with one
 * character above ASCII in it 4-5 times slower than pure ASCII: the three
 * arrows and dashes of a 5000-namespace graph's legend made a 3 MB answer
 * cost 70-80 ms instead of 15 (the whole string is then two bytes a
 * character). Parsing gives back the same strings.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** True for exactly `application/json`, optionally with `charset=utf-8` (any case). */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === 'charset=utf-8' || p === 'charset="utf-8"');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ContractError('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What startServer is given. */
export interface ServerOptions {
  assets: ReadonlyMap<string, Asset>;
  handlers: Handlers;
  /** The only uid whose sockets may connect: the window's (default: ours). */
  windowUid?: number;
  /** Called once the launch token has been traded (the launch page is no longer needed). */
  onLaunch?: () => void;
  /** Who owns a connecting socket (tests may pass their own /proc reader through it). */
  ownerOf?: typeof peerUid;
}

/** One server's secrets and address (host and origin, known once it listens). */
interface ServerState {
  launchToken: string;
  session: string;
  launched: boolean;
  /** `127.0.0.1:PORT`, the only Host accepted. */
  host: string;
  /** `http://127.0.0.1:PORT`, the only Origin accepted. */
  origin: string;
}

const forbidden = (res: ServerResponse) => send(res, 403, 'text/plain', 'forbidden\n');
const notFound = (res: ServerResponse) => send(res, 404, 'text/plain', 'not found\n');

/**
 * Lock 2, the launch: the one request that comes from elsewhere (the
 * file:// launch page), with the token, once. The answer is the viewer
 * page itself, with the session cookie: its own requests (scripts, the
 * worker, the API) are same-origin and carry the SameSite=Strict cookie
 * whatever site the navigation came from, and the page replaces the spent
 * /launch/ address with `/`. One navigation fewer than a page that moves
 * on to `/` (a redirect would not do: it keeps the launch page's
 * cross-site chain, and the request to `/` would lose the cookie).
 */
function answerLaunch(
  res: ServerResponse,
  token: string,
  site: string | string[] | undefined,
  s: ServerState,
  o: ServerOptions,
): void {
  if (site !== undefined && site !== 'cross-site' && site !== 'none') return forbidden(res);
  if (s.launched || !same(token, s.launchToken)) return forbidden(res);
  s.launched = true;
  o.onLaunch?.();
  const page = assetFor(o.assets, '/');
  if (!page) return notFound(res);
  send(res, 200, page.type, page.body, {
    'Set-Cookie': `${COOKIE}=${s.session}; HttpOnly; SameSite=Strict; Path=/`,
  });
}

/** An API call: a POST of exactly `application/json` to `/api/<channel>`, answered in ASCII JSON. */
async function answerApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handlers: Handlers,
): Promise<void> {
  const channel = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
  if (req.method !== 'POST' || !isChannel(channel)) return notFound(res);
  if (!isJsonMediaType(req.headers['content-type'])) {
    return send(res, 415, 'text/plain', 'expected application/json\n');
  }
  try {
    const body = JSON.parse(await readBody(req)) as { arg?: unknown } | null;
    const result = await handlers[channel](body?.arg);
    send(res, 200, 'application/json', asciiJson(result));
  } catch (err) {
    const bad = err instanceof ContractError || err instanceof SyntaxError;
    send(res, bad ? 400 : 500, 'text/plain', `${(err as Error).message}\n`);
  }
}

/**
 * Lock 3 on every request (Host, Origin, Sec-Fetch-Site), the launch, then
 * the session cookie every other request must carry; a page file for a
 * GET, else the API.
 */
async function answerRequest(
  req: IncomingMessage,
  res: ServerResponse,
  s: ServerState,
  o: ServerOptions,
): Promise<void> {
  if (req.headers.host !== s.host) return forbidden(res);
  const from = req.headers.origin;
  if (from !== undefined && from !== s.origin) return forbidden(res);
  const path = (req.url ?? '').split('?')[0] ?? '';
  const site = req.headers['sec-fetch-site'];
  if (path.startsWith('/launch/') && req.method === 'GET') {
    return answerLaunch(res, path.slice('/launch/'.length), site, s, o);
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return forbidden(res);
  const cookie = cookieValue(req, COOKIE);
  if (cookie === undefined || !same(cookie, s.session)) return forbidden(res);
  if (req.method === 'GET') {
    const asset = assetFor(o.assets, path);
    return asset ? send(res, 200, asset.type, asset.body) : notFound(res);
  }
  return answerApi(req, res, path, o.handlers);
}

/**
 * Lock 1, before HTTP sees a byte: a TCP server that hands `http` only
 * connections whose client socket belongs to `windowUid`; the others are
 * destroyed. `sockets` holds the open ones, for close().
 */
function ownerGate(
  http: Server,
  windowUid: number,
  ownerOf: typeof peerUid,
  sockets: Set<Socket>,
): TcpServer {
  return createTcpServer((socket) => {
    const owner = ownerOf(
      { address: socket.remoteAddress ?? '', port: socket.remotePort ?? -1 },
      { address: socket.localAddress ?? '', port: socket.localPort ?? -1 },
    );
    if (owner !== windowUid) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    http.emit('connection', socket);
  });
}

/**
 * The launch page for `launchUrl`: a script moves on at once, while the
 * page is parsed (a refresh waits for the page's load, a few frames
 * later); the refresh is the fallback.
 */
export function launchPageFor(launchUrl: string): string {
  return (
    '<!doctype html><meta charset="utf-8"><title>graphns</title>' +
    `<script>location.replace(${JSON.stringify(launchUrl)})</script>` +
    `<meta http-equiv="refresh" content="0;url=${launchUrl}">\n`
  );
}

/** Start the server on 127.0.0.1, a port the kernel picks. */
export async function startServer(o: ServerOptions): Promise<ViewerServer> {
  const s: ServerState = {
    launchToken: secret(),
    session: secret(),
    launched: false,
    host: '',
    origin: '',
  };
  const http = createServer((req, res) => void answerRequest(req, res, s, o));
  const sockets = new Set<Socket>();
  const tcp = ownerGate(
    http,
    o.windowUid ?? process.getuid?.() ?? -1,
    o.ownerOf ?? peerUid,
    sockets,
  );
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', resolve);
  });
  const { port } = tcp.address() as AddressInfo;
  s.host = `127.0.0.1:${port}`;
  s.origin = `http://${s.host}`;
  return {
    launchPage: launchPageFor(`${s.origin}/launch/${s.launchToken}`),
    origin: s.origin,
    close: () =>
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        http.closeAllConnections();
      }),
  };
}
