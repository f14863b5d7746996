/**
 * The viewer's wiring view end to end: the browser shell in headless
 * Chromium, started as `graphns --net` on a live scan (as root) of a real
 * scene: a podman container on podman's default bridge network, and a
 * veth pair between a network namespace held by a process and one held
 * only by a bind mount (`ip netns add`). What is checked comes from the
 * kernel (`ip -j`, the /proc/PID/ns links), never from graphns's output:
 * every interface of the scene's namespaces is a node in its namespace's
 * box, each veth pair an edge between the right two; a click on the
 * container's box selects it, marks the host as wired to it and lists its
 * interfaces as `ip` does; find lands on a namespace by its address;
 * "only the container" draws it and, faint, the host's bridge its veth is
 * a port of (the port named at the container's end); n goes to the
 * hierarchy and back.
 * Screenshots land in test-results/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { makeRootfs } from '../helpers/engines';
import { inNetns, type IpAddr, type IpLink } from '../helpers/net';
import { HANG_MS, unmetNeed } from '../helpers/need';
import { needRoot } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import {
  clickElement,
  dataset,
  markedIds,
  relaidOut,
  svgIdOf,
  waitData,
} from '../helpers/viewer-ui';

const tag = randomBytes(2).toString('hex');
const MOUNTED = `gv${tag}m`;
const CONTAINER = `gv${tag}c`;
const IMAGE = `localhost/graphns-gv:${tag}`;
const PODMAN = ['podman', '--runtime', 'runc', '--cgroup-manager=cgroupfs'];

const hasPodman = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = needRoot || viewerSkip() || unmetNeed(!hasPodman && 'no podman here');

const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: HANG_MS });

/** `ip -j` in the network namespace of `pid` (`nsenter`) or of an `ip netns` name. */
function ipIn(where: number | string, ...args: string[]): unknown {
  const argv =
    typeof where === 'number'
      ? ['nsenter', '-t', String(where), '-n', 'ip', '-j', ...args]
      : ['ip', '-n', where, '-j', ...args];
  return JSON.parse(run(argv[0]!, ...argv.slice(1)));
}
const linksIn = (where: number | string) => ipIn(where, '-d', 'link') as IpLink[];
const addrsIn = (where: number | string) => ipIn(where, 'addr') as IpAddr[];

const netKey = (path: string) => `net:${/\[(\d+)\]/.exec(readlinkSync(path))![1]}`;
const ifId = (key: string, index: number) => `if-${svgIdOf(key)}-${index}`;
const edgeId = (a: string, b: string) => `e__${a}__${b}`;

const kids: ChildProcess[] = [];
let tmp = '';
let containerPid = 0;
let holderPid = 0; // the process holding the peer of the mounted namespace's veth

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), 'graphns-viewer-net-'));
  const tar = await makeRootfs(tmp).tar;
  run(PODMAN[0]!, ...PODMAN.slice(1), 'import', '-q', tar, IMAGE);
  run(
    PODMAN[0]!,
    ...PODMAN.slice(1),
    'run',
    '-d',
    '--ulimit',
    'nofile=1024:20000',
    '--ulimit',
    'nproc=1024:1024',
    '--name',
    CONTAINER,
    IMAGE,
    '/bin/sleep',
    '3600',
  );
  containerPid = Number(
    run(PODMAN[0]!, ...PODMAN.slice(1), 'inspect', '-f', '{{.State.Pid}}', CONTAINER).trim(),
  );
  holderPid = await inNetns(kids);
  run('ip', 'netns', 'add', MOUNTED);
  run(
    'ip',
    '-n',
    MOUNTED,
    'link',
    'add',
    'vm0',
    'type',
    'veth',
    'peer',
    'name',
    'eth7',
    'netns',
    `/proc/${holderPid}/ns/net`,
  );
  run('ip', '-n', MOUNTED, 'addr', 'add', '10.79.0.1/24', 'dev', 'vm0');
  run('ip', '-n', MOUNTED, 'addr', 'add', 'fd79::1/64', 'dev', 'vm0');
  run('ip', '-n', MOUNTED, 'link', 'set', 'vm0', 'up');
});

after(() => {
  if (skip) return;
  for (const k of kids) k.kill('SIGKILL');
  try {
    run('ip', 'netns', 'del', MOUNTED);
  } catch {
    /* not made */
  }
  for (const args of [
    ['rm', '-f', '-t', '0', CONTAINER],
    ['rmi', '-f', IMAGE],
  ])
    try {
      run(PODMAN[0]!, ...PODMAN.slice(1), ...args);
    } catch {
      /* not made */
    }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Ids of the elements of the drawing matching `selector`. */
function idsOf(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll('#graph svg ' + ${JSON.stringify(selector)})].map((e) => e.id)`,
  );
}

/** Whether the drawing has an edge between the two interface nodes, either way. */
async function wired(page: Page, a: string, b: string): Promise<void> {
  const ids = await idsOf(page, 'g.edge');
  assert.ok(
    ids.includes(edgeId(a, b)) || ids.includes(edgeId(b, a)),
    `no edge between ${a} and ${b} in ${ids.join(' ')}`,
  );
}

test(
  'the wiring view: every interface, every veth pair, details, find, one container, n',
  { skip },
  async (t) => {
    const shots = join(ROOT, 'test-results');
    mkdirSync(shots, { recursive: true });
    const viewer: Viewer = await launchViewer(['--net']);
    try {
      const { page } = viewer;
      await waitData(page, 'state', 'ready');
      assert.equal((await dataset(page)).graph, 'wiring', viewer.stderr());
      const host = netKey('/proc/self/ns/net');
      const container = netKey(`/proc/${containerPid}/ns/net`);
      const holder = netKey(`/proc/${holderPid}/ns/net`);
      const mounted = `net:${statSync(`/run/netns/${MOUNTED}`).ino}`;
      const boxes = new Set(await idsOf(page, 'g.cluster'));
      const nodes = new Set(await idsOf(page, 'g.node'));

      await t.test('every interface but lo a node in its namespace box, as ip lists them', () => {
        for (const [key, where] of [
          [container, containerPid],
          [holder, holderPid],
          [mounted, MOUNTED],
        ] as const) {
          assert.ok(boxes.has(svgIdOf(key)), `${key} has a box`);
          for (const l of linksIn(where)) {
            const drawn = nodes.has(ifId(key, l.ifindex));
            assert.equal(drawn, l.ifname !== 'lo', `${l.ifname} of ${key}`);
          }
        }
      });

      // the container's eth0 and the host's end of it, as the kernel says
      const eth0 = linksIn(containerPid).find((l) => l.ifname === 'eth0')!;
      assert.ok(eth0?.link_index, 'the container has a veth eth0');
      const hostEnd = linksIn(process.pid).find((l) => l.ifindex === eth0.link_index)!;
      const bridge = linksIn(process.pid).find((l) => l.ifname === hostEnd.master)!;
      assert.equal(bridge?.linkinfo?.info_kind, 'bridge', 'podman put its end on a bridge');

      await t.test('each veth pair one edge between the right two namespaces', async () => {
        await wired(page, ifId(container, eth0.ifindex), ifId(host, hostEnd.ifindex));
        const vm0 = linksIn(MOUNTED).find((l) => l.ifname === 'vm0')!;
        const eth7 = linksIn(holderPid).find((l) => l.ifname === 'eth7')!;
        await wired(page, ifId(mounted, vm0.ifindex), ifId(holder, eth7.ifindex));
        // the host's end is a port of the bridge: the pair's line runs from the bridge
        const pair = [ifId(host, hostEnd.ifindex), ifId(container, eth0.ifindex)] as const;
        const title = await page.locator(`[id="${edgeId(...pair)}"] > title`).textContent();
        assert.equal(title, `${ifId(host, bridge.ifindex)}->${pair[1]}`);
        assert.ok(!nodes.has(pair[0]), "the port is the line, not a row of the host's box");
      });

      await t.test(
        "a click on the container's box: its details list its interfaces as ip does, the host is marked as wired",
        async () => {
          await clickElement(page, ifId(container, eth0.ifindex));
          await waitData(page, 'selected', container);
          await waitData(page, 'details', container);
          const rows: { index: number; text: string }[] = await page.evaluate(
            `[...document.querySelectorAll('#details li.iface')].map((li) => ({
          index: Number(li.dataset.ifindex),
          text: li.textContent,
        }))`,
          );
          const links = linksIn(containerPid);
          assert.deepEqual(
            rows.map((r) => r.index).sort(),
            links.map((l) => l.ifindex).sort(),
            'one row per interface',
          );
          for (const a of addrsIn(containerPid))
            for (const ai of a.addr_info) {
              const row = rows.find((r) => r.index === a.ifindex)!;
              assert.ok(
                row.text.includes(`${ai.local}/${ai.prefixlen}`),
                `${ai.local} in ${row.text}`,
              );
            }
          const eth0Row = rows.find((r) => r.index === eth0.ifindex)!.text;
          assert.ok(eth0Row.includes(`peer ${hostEnd.ifname} in`), eth0Row);
          const peerLink = await page
            .locator(`#details li.iface[data-ifindex="${eth0.ifindex}"] button.ns-link`)
            .getAttribute('data-key');
          assert.equal(peerLink, host);
          assert.ok((await markedIds(page, 'rel')).includes(svgIdOf(host)));
          const edges = await markedIds(page, 'rel-edge');
          const [a, b] = [ifId(container, eth0.ifindex), ifId(host, hostEnd.ifindex)];
          assert.ok(edges.includes(edgeId(a, b)) || edges.includes(edgeId(b, a)), edges.join());
          await page.screenshot({ path: join(shots, 'viewer-net-details.png') });
          await page.keyboard.press('Escape');
          await waitData(page, 'selected', undefined);
        },
      );

      await t.test('find: an address lands on its namespace', async () => {
        await page.keyboard.press('/');
        await page.locator('#find-input').pressSequentially('fd79::1/64');
        await waitData(page, 'findQuery', 'fd79::1/64');
        await page.keyboard.press('Enter');
        await waitData(page, 'findCurrent', mounted);
        assert.equal((await dataset(page)).findCount, '1');
        await page.keyboard.press('Escape');
      });

      await t.test(
        'only the container: it, and faint the host with the bridge its veth is a port of',
        async () => {
          await page.locator('#f-scope').focus(); // lists the model's containers
          await relaidOut(page, () =>
            page.locator('#f-scope').selectOption({ label: `${CONTAINER} (podman)` }),
          );
          await page.keyboard.press('Escape');
          const scoped = new Set(await idsOf(page, 'g.cluster'));
          assert.deepEqual([...scoped].sort(), [svgIdOf(container), svgIdOf(host)].sort());
          const context = await idsOf(page, 'g.cluster.context');
          assert.deepEqual(context, [svgIdOf(host)]);
          const hostNodes = (await idsOf(page, 'g.node')).filter((id) =>
            id.startsWith(`${ifId(host, 0).slice(0, -1)}`),
          );
          assert.deepEqual(hostNodes, [ifId(host, bridge.ifindex)], "the host's bridge only");
          await wired(page, ifId(container, eth0.ifindex), ifId(host, hostEnd.ifindex));
          // the port's name is in the container's eth0 row
          const row = await page.locator(`[id="${ifId(container, eth0.ifindex)}"]`).textContent();
          // (Graphviz writes each run of the label as a text element of its own)
          const words = (row ?? '').replace(/\s+/g, ' ');
          assert.ok(words.includes(`peer ${hostEnd.ifname} on ${bridge.ifname}`), words);
          await page.keyboard.press('1');
          await page.screenshot({ path: join(shots, 'viewer-net-container.png') });
        },
      );

      await t.test('n: the hierarchy, and back to the wiring', async () => {
        await relaidOut(page, () => page.keyboard.press('n'));
        assert.equal((await dataset(page)).graph, 'hierarchy');
        assert.deepEqual(
          (await idsOf(page, 'g.node')).filter((id) => id.startsWith('if-')),
          [],
          'no interface in the hierarchy',
        );
        await relaidOut(page, () => page.keyboard.press('n'));
        assert.equal((await dataset(page)).graph, 'wiring');
        assert.equal(await page.locator('#f-net').isChecked(), true);
      });
    } finally {
      await viewer.close();
    }
  },
);

test(
  'a snapshot without interfaces: n says why and stays; --net refuses it before a window opens',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-viewer-net-snap-'));
    try {
      const snap = join(dir, 'plain.json');
      // graphns -J reads no interfaces (only --net and lsnetns do)
      const json = execFileSync(process.execPath, [join(ROOT, 'dist/app/graphns.js'), '-J'], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      assert.ok(!json.includes('"interfaces"'), 'the plain snapshot has no interfaces');
      writeFileSync(snap, json);
      const refused = spawnSync(
        process.execPath,
        [join(ROOT, 'dist/app/graphns.js'), '--open', snap, '--net', '--shell', 'browser'],
        { encoding: 'utf8', timeout: HANG_MS },
      );
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /has no interfaces: take the snapshot with graphns --net -J/);
      const viewer = await launchViewer(['--open', snap]);
      try {
        const { page } = viewer;
        assert.equal((await dataset(page)).graph, 'hierarchy');
        await page.keyboard.press('n');
        await page
          .locator('#status')
          .filter({ hasText: 'no interfaces' })
          .waitFor({ timeout: HANG_MS });
        assert.equal((await dataset(page)).graph, 'hierarchy');
        assert.equal(await page.locator('#f-net').isChecked(), false);
      } finally {
        await viewer.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
