/**
 * The browser shell's loopback server: the page and the contract are served
 * only to the holder of this launch's secret, only on 127.0.0.1:<port>, and
 * only from the page itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Asset } from '../../main/shell/assets';
import { CSP } from '../../main/shell/assets';
import { createHandlers } from '../../main/shell/handlers';
import { startServer } from '../../main/shell/browser/server';

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
  const saved: string[] = [];
  const server = await startServer({
    assets,
    handlers: createHandlers({
      graph: async () => ({ ok: false, error: 'no graph in this test' }),
      rediscover: async () => ({ ok: false, error: 'again' }),
      save: async (svg) => (saved.push(svg), { saved: true, path: '/home/u/x.svg' }),
      quit: () => void quits++,
      rememberBounds: () => undefined,
    }),
  });
  try {
    const { origin, launchUrl } = server;
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

    // the browser's first request trades the launch token for a session cookie
    const launch = await fetchRaw(launchUrl);
    assert.equal(launch.status, 303);
    assert.equal(launch.headers.location, '/');
    const setCookie = String(launch.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    // ... once: the token on the browser's command line is worthless afterwards
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
