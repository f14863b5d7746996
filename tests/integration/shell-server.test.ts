/**
 * The browser shell's loopback server: the page and the contract are served
 * only to the holder of this launch's secret, only on 127.0.0.1:<port>, and
 * only from the page itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Asset } from '../../main/shell/assets';
import { CSP } from '../../main/shell/assets';
import { createHandlers } from '../../main/shell/handlers';
import { decodeAddress, parseProcNetTcp, peerUid } from '../../main/shell/browser/peer';
import { asciiJson, startServer } from '../../main/shell/browser/server';
import { HANG_MS, isRoot, unmetNeed } from '../helpers/need';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchRaw(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const assets = new Map<string, Asset>([
  ['/index.html', { type: 'text/html', body: Buffer.from('<p>page</p>') }],
  ['/main.js', { type: 'text/javascript', body: Buffer.from('1') }],
]);

test('the server refuses anyone without the secret and serves the page that has it', async () => {
  let quits = 0;
  let launched = 0;
  const saved: string[] = [];
  const pngs: Uint8Array[] = [];
  const server = await startServer({
    assets,
    handlers: createHandlers({
      graph: async () => ({ ok: false, error: 'no graph in this test' }),
      rediscover: async () => ({ ok: false, error: 'again' }),
      save: async (svg) => (saved.push(svg), { saved: true, path: '/home/u/x.svg' }),
      savePng: async (png) => (pngs.push(png), { saved: true, path: '/home/u/x.png' }),
      quit: () => void quits++,
      rememberBounds: () => undefined,
    }),
    onLaunch: () => void launched++,
  });
  try {
    const { origin, launchPage } = server;
    const launchUrl = /url=(\S+)">/.exec(launchPage)?.[1] ?? '';
    assert.match(launchUrl, /^http:\/\/127\.0\.0\.1:\d+\/launch\/[A-Za-z0-9_-]{43}$/);

    // no secret at all
    for (const path of ['/', '/index.html', '/main.js', '/api/getGraph', '/launch/x']) {
      assert.equal((await fetchRaw(origin + path)).status, 403, path);
    }
    const api = (headers: Record<string, string>, body = '{"arg":null}') =>
      fetchRaw(`${origin}/api/getGraph`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      });
    assert.equal((await api({})).status, 403);

    // a rebinding page: right secret in the URL, wrong Host
    const rebound = await fetchRaw(launchUrl, {
      headers: { Host: `evil.example:${new URL(origin).port}` },
    });
    assert.equal(rebound.status, 403);

    // the launch page moves on by script (the refresh is its fallback)
    assert.ok(launchPage.includes(`<script>location.replace(${JSON.stringify(launchUrl)})`));
    // the browser's first request (from the file:// launch page: cross-site) trades the
    // launch token for a session cookie, set on the viewer page itself
    const launch = await fetchRaw(launchUrl, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(launch.status, 200);
    assert.equal(launch.body, '<p>page</p>');
    assert.equal(launch.headers['content-security-policy'], CSP);
    assert.equal(launched, 1);
    const setCookie = String(launch.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    // ... once
    assert.equal((await fetchRaw(launchUrl)).status, 403);

    const page = await fetchRaw(`${origin}/`, { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    assert.equal(page.body, '<p>page</p>');
    assert.equal(page.headers['content-security-policy'], CSP);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(
      (await fetchRaw(`${origin}/../etc/passwd`, { headers: { Cookie: cookie } })).status,
      404,
    );
    assert.equal(
      (await fetchRaw(`${origin}/x`, { headers: { Cookie: `${cookie}x` } })).status,
      403,
    );

    // the contract, with the cookie
    const got = await api({ Cookie: cookie });
    assert.equal(got.status, 200);
    assert.deepEqual(JSON.parse(got.body), { ok: false, error: 'no graph in this test' });
    // ... but not from another origin or site
    assert.equal((await api({ Cookie: cookie, Origin: 'http://evil.example' })).status, 403);
    assert.equal((await api({ Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal(
      (await api({ Cookie: cookie, 'Content-Type': 'text/plain' })).status,
      415,
      'a form post cannot carry JSON',
    );
    for (const type of ['application/jsonfoo', 'application/json-seq', 'application/json; x=1']) {
      assert.equal((await api({ Cookie: cookie, 'Content-Type': type })).status, 415, type);
    }
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;Charset=UTF-8']) {
      assert.equal((await api({ Cookie: cookie, 'Content-Type': type })).status, 200, type);
    }
    // pages of the viewer are same-origin; only the launch may come from elsewhere
    assert.equal(
      (
        await fetchRaw(`${origin}/`, {
          headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
        })
      ).status,
      403,
    );
    assert.equal((await api({ Cookie: cookie }, '{"arg":{"x":1}}')).status, 400);
    assert.equal((await api({ Cookie: cookie }, 'not json')).status, 400);

    const svg = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
    const save = await fetchRaw(`${origin}/api/saveSvg`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: origin },
      body: JSON.stringify({ arg: svg }),
    });
    assert.deepEqual(JSON.parse(save.body), { saved: true, path: '/home/u/x.svg' });
    assert.deepEqual(saved, [svg]);
    const png = readFileSync(new URL('../../build/icons/16x16.png', import.meta.url));
    const savePng = (arg: unknown) =>
      fetchRaw(`${origin}/api/savePng`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: origin },
        body: JSON.stringify({ arg }),
      });
    // a path, or anything but a PNG, is a bad request; the backend never sees it
    for (const bad of [{ path: '/tmp/evil.png', png: png.toString('base64') }, '/tmp/evil.png']) {
      assert.equal((await savePng(bad)).status, 400);
    }
    assert.deepEqual(pngs, []);
    assert.deepEqual(JSON.parse((await savePng(png.toString('base64'))).body), {
      saved: true,
      path: '/home/u/x.png',
    });
    assert.deepEqual(
      pngs.map((p) => Buffer.from(p)),
      [png],
    );
    const quit = await fetchRaw(`${origin}/api/quit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: '{}',
    });
    assert.equal(quit.status, 200);
    assert.equal(quits, 1);
  } finally {
    await server.close();
  }
});

/** Run `node -e script` as uid/gid 65534 (nobody); resolves with its stdout. */
function asNobody(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script, ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', () => resolve(out));
  });
}

/**
 * A raw HTTP GET from a socket of its own: the status line that came back,
 * or `closed` when the server hung up without a byte. It waits for one of
 * the two, however long; only after HANG_MS (a hang, not a slow machine) it
 * gives up and says `hung`.
 */
const RAW_GET = `
const net = require('node:net');
const [port, path] = process.argv.slice(1);
const s = net.connect(Number(port), '127.0.0.1', () =>
  s.write('GET ' + path + ' HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\n\\r\\n'));
let got = '';
s.on('data', (d) => (got += d));
s.on('error', () => {});
// the status line is all we want: then we hang up (the server keeps the connection open)
s.on('data', () => got.includes('\\r\\n') && s.destroy());
s.on('close', () => process.stdout.write(got ? got.split('\\r\\n')[0] : 'closed'));
setTimeout(() => (process.stdout.write('hung'), process.exit()), ${HANG_MS}).unref();
`;

/** A server whose handlers answer nothing useful: these tests are about who gets in. */
function idleServer(windowUid?: number) {
  return startServer({
    assets,
    handlers: createHandlers({
      graph: async () => ({ ok: false, error: 'x' }),
      rediscover: async () => ({ ok: false, error: 'x' }),
      save: async () => ({ saved: false }),
      savePng: async () => ({ saved: false }),
      quit: () => undefined,
      rememberBounds: () => undefined,
    }),
    windowUid,
  });
}

const needRootHere = unmetNeed(!isRoot && 'needs root to act as another uid');

test(
  'another local user is disconnected before a byte, even with the launch secret',
  { skip: needRootHere, timeout: 3 * HANG_MS },
  async () => {
    const server = await idleServer();
    try {
      const port = new URL(server.origin).port;
      const launchPath = new URL(/url=(\S+)">/.exec(server.launchPage)![1]!).pathname;
      // the secret itself, used by someone else: refused at the socket
      assert.equal(await asNobody(RAW_GET, [port, launchPath]), 'closed');
      assert.equal(await asNobody(RAW_GET, [port, '/']), 'closed');
      // ... while the window's own uid (ours) still gets in with it
      const launch = await fetchRaw(`${server.origin}${launchPath}`);
      assert.equal(launch.status, 200);
    } finally {
      await server.close();
    }
  },
);

test(
  'a server for another uid refuses us and accepts that uid',
  { skip: needRootHere, timeout: 3 * HANG_MS },
  async () => {
    const server = await idleServer(65534);
    try {
      const port = new URL(server.origin).port;
      await assert.rejects(fetchRaw(`${server.origin}/`), /socket hang up|ECONNRESET/);
      // no cookie, so 403: but it was HTTP that answered, not the socket check
      assert.equal(await asNobody(RAW_GET, [port, '/']), 'HTTP/1.1 403 Forbidden');
    } finally {
      await server.close();
    }
  },
);

test('answers are JSON in ASCII alone that parses back to the very same strings', () => {
  const hostile = [
    'plain',
    'legend → ⇢ — ·',
    '\u007f\u0080\u00ff\u0100\uffff',
    'pair 😀 and lone \udc80 \ud800 surrogates',
    'line\u2028sep\u2029 and "quotes" \\ \n\t\u0000',
  ];
  const value = { ok: true, dot: hostile.join('\n'), list: hostile, n: 5000, none: null };
  const text = asciiJson(value);
  assert.match(text, /^[\x00-\x7e]*$/, 'nothing above U+007E');
  assert.deepEqual(JSON.parse(text), value);
  for (const s of hostile) assert.equal(JSON.parse(asciiJson(s)), s, JSON.stringify(s));
  assert.equal(asciiJson(undefined), 'null');
  // bytes Chromium decodes on the fast path: what the page's TextDecoder gets
  assert.equal(Buffer.byteLength(text, 'utf8'), text.length);
});

test('/proc/net/tcp lines decode in either byte order, IPv4-mapped IPv6 as IPv4', () => {
  assert.equal(decodeAddress('0100007F', true), '127.0.0.1');
  assert.equal(decodeAddress('7F000001', false), '127.0.0.1');
  assert.equal(decodeAddress('0000000000000000FFFF00000100007F', true), '127.0.0.1');
  assert.equal(decodeAddress('00000000000000000000000001000000', true), '0:0:0:0:0:0:0:1');
  assert.equal(decodeAddress('0100007', true), undefined);
  assert.equal(decodeAddress('0100007F01000000', true), undefined);
  const text =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
    '   0: 0100007F:A2B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 12345 1\n' +
    '   1: garbage\n';
  assert.deepEqual(parseProcNetTcp(text, true), [
    { local: '127.0.0.1', localPort: 0xa2b2, remote: '127.0.0.1', remotePort: 0x1f90, uid: 1000 },
  ]);
  const read = (p: string) => (p.endsWith('tcp') ? text : '');
  const server = { address: '127.0.0.1', port: 0x1f90 };
  assert.equal(peerUid({ address: '127.0.0.1', port: 0xa2b2 }, server, read), 1000);
  assert.equal(peerUid({ address: '::ffff:127.0.0.1', port: 0xa2b2 }, server, read), 1000);
  assert.equal(peerUid({ address: '127.0.0.2', port: 0xa2b2 }, server, read), undefined);
  assert.equal(peerUid({ address: '127.0.0.1', port: 1 }, server, read), undefined);
  // the same connection twice with different owners: nobody can be sure, so refuse
  const twice = text + text.split('\n')[1]!.replace(' 1000 ', ' 0 ') + '\n';
  assert.equal(
    peerUid({ address: '127.0.0.1', port: 0xa2b2 }, server, (p) =>
      p.endsWith('tcp') ? twice : '',
    ),
    undefined,
  );
});
