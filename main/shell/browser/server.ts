/**
 * The browser shell's loopback server: serves the bundled viewer page and
 * answers the contract (`POST api/<channel>`) on 127.0.0.1, random port.
 *
 * Who may talk to it: whoever holds this launch's secret. The browser is
 * started on `/launch/<token>`; that token works once and is exchanged for
 * a session cookie (HttpOnly, SameSite=Strict) that every later request
 * must carry. A token read off the browser's command line afterwards is
 * worthless. Every request must also name `127.0.0.1:<port>` as Host (no
 * DNS rebinding) and, when the browser says where it comes from (Origin,
 * Sec-Fetch-Site), come from the page itself. Anything else: 403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractError, MAX_SVG_CHARS, isChannel } from '../../contract';
import { assetFor, CSP, type Asset } from '../assets';
import type { Handlers } from '../handlers';

const COOKIE = 'graphns_session';
const MAX_BODY = MAX_SVG_CHARS * 3 + 1024; // UTF-8 of the largest SVG, JSON-quoted

/** A running server. */
export interface ViewerServer {
  /** Where to point the browser: `http://127.0.0.1:PORT/launch/<token>`, valid once. */
  launchUrl: string;
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

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
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

/** Start the server on 127.0.0.1, a port the kernel picks. */
export async function startServer(o: {
  assets: ReadonlyMap<string, Asset>;
  handlers: Handlers;
}): Promise<ViewerServer> {
  const launchToken = secret();
  const session = secret();
  let launched = false;
  let origin = '';
  let host = '';

  const server = createServer((req, res) => {
    void (async () => {
      const forbidden = () => send(res, 403, 'text/plain', 'forbidden\n');
      if (req.headers.host !== host) return forbidden();
      const from = req.headers.origin;
      if (from !== undefined && from !== origin) return forbidden();
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return forbidden();
      const path = (req.url ?? '').split('?')[0] ?? '';

      if (path.startsWith('/launch/') && req.method === 'GET') {
        if (launched || !same(path.slice('/launch/'.length), launchToken)) return forbidden();
        launched = true;
        res.writeHead(303, {
          Location: '/',
          'Set-Cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
          'Cache-Control': 'no-store',
          'Content-Security-Policy': CSP,
        });
        return res.end();
      }
      const cookie = cookieValue(req, COOKIE);
      if (cookie === undefined || !same(cookie, session)) return forbidden();

      if (req.method === 'GET') {
        const asset = assetFor(o.assets, path);
        if (!asset) return send(res, 404, 'text/plain', 'not found\n');
        return send(res, 200, asset.type, asset.body);
      }
      const channel = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
      if (req.method !== 'POST' || !isChannel(channel)) {
        return send(res, 404, 'text/plain', 'not found\n');
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'text/plain', 'expected application/json\n');
      }
      try {
        const body = JSON.parse(await readBody(req)) as { arg?: unknown } | null;
        const result = await o.handlers[channel](body?.arg);
        send(res, 200, 'application/json', JSON.stringify(result ?? null));
      } catch (err) {
        const bad = err instanceof ContractError || err instanceof SyntaxError;
        send(res, bad ? 400 : 500, 'text/plain', `${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  return {
    launchUrl: `${origin}/launch/${launchToken}`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
