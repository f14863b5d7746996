// A local attacker, run as a throwaway user by tests/e2e/attacker.test.ts
// (plain Node, no project code): while a victim's viewer starts and runs, it
// watches every process's command line and environment for the launch
// secret, looks for the browser's profile, and connects to every loopback
// port the victim listens on with every request the viewer's server knows.
// On SIGTERM it prints what it got, as JSON.
import fs from 'node:fs';
import net from 'node:net';

const victimUid = Number(process.argv[2]);
const report = {
  scans: 0,
  tokens: [],
  environRead: [],
  fdRead: [],
  profilesSeen: [],
  profileRead: [],
  answers: {}, // port -> { request: { 'first response line' or 'closed': count } }
};
const tokens = new Set();
/** Where each secret was seen: other tests on this machine may have their own, so say whose. */
const sightings = new Map();
function found(token, pid, uid, where) {
  tokens.add(token);
  if (!sightings.has(token)) sightings.set(token, { token, pid, uid, where });
}
const profiles = new Set();

function ownerOf(path) {
  try {
    return fs.statSync(path).uid;
  } catch {
    return undefined;
  }
}

function watchProc() {
  report.scans++;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    const uid = ownerOf(`/proc/${pid}`);
    for (const m of cmdline.matchAll(/launch\/([A-Za-z0-9_-]{8,})/g))
      found(m[1], pid, uid, 'cmdline');
    for (const m of cmdline.matchAll(/--user-data-dir=([^\0]+)/g)) profiles.add(m[1]);
    if (uid !== victimUid && uid !== 0) continue;
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
      report.environRead.push(pid);
      for (const m of env.matchAll(/launch\/([A-Za-z0-9_-]{8,})/g))
        found(m[1], pid, uid, 'environ');
    } catch {
      /* expected: EACCES */
    }
    try {
      fs.readdirSync(`/proc/${pid}/fd`);
      report.fdRead.push(pid);
    } catch {
      /* expected */
    }
  }
  try {
    for (const d of fs.readdirSync('/tmp'))
      if (d.startsWith('graphns-browser-')) profiles.add(`/tmp/${d}`);
  } catch {
    /* /tmp unreadable */
  }
  for (const dir of profiles) {
    try {
      for (const f of fs.readdirSync(dir)) {
        try {
          const text = fs.readFileSync(`${dir}/${f}`, 'latin1');
          report.profileRead.push(`${dir}/${f}`);
          for (const m of text.matchAll(/launch\/([A-Za-z0-9_-]{8,})/g)) {
            found(m[1], undefined, ownerOf(`${dir}/${f}`), `${dir}/${f}`);
          }
        } catch {
          /* expected */
        }
      }
    } catch {
      /* expected: the profile is 0700 */
    }
  }
}

function victimPorts() {
  const ports = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8 || f[3] !== '0A' || Number(f[7]) !== victimUid) continue; // LISTEN
      ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return [...ports];
}

function requestsFor(port) {
  const host = `127.0.0.1:${port}`;
  const get = (path) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
  const post = (channel, body) =>
    `POST /api/${channel} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const list = [
    ['GET /', get('/')],
    ['GET /index.html', get('/index.html')],
    ['GET /launch/guess', get('/launch/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['getGraph', post('getGraph', '{"arg":null}')],
    ['rediscover', post('rediscover', '{"arg":null}')],
    ['saveSvg', post('saveSvg', JSON.stringify({ arg: '<svg><script>alert(1)</script></svg>' }))],
  ];
  for (const t of tokens) list.push([`GET /launch/<found>`, get(`/launch/${t}`)]);
  return list;
}

function ask(port, text) {
  return new Promise((resolve) => {
    let got = '';
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    s.setEncoding('latin1');
    s.on('data', (d) => (got += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got ? got.split('\r\n')[0] : 'closed'));
    setTimeout(() => s.destroy(), 2000);
  });
}

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

(async () => {
  while (!stopping) {
    watchProc();
    for (const port of victimPorts()) {
      const answers = (report.answers[port] ??= {});
      for (const [name, text] of requestsFor(port)) {
        const line = await ask(port, text);
        const counts = (answers[name] ??= {});
        counts[line] = (counts[line] ?? 0) + 1;
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  report.tokens = [...sightings.values()];
  report.profilesSeen = [...profiles];
  process.stdout.write(JSON.stringify(report));
})();
