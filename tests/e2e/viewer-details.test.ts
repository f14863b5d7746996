/**
 * The details panel end to end: the browser shell in headless Chromium on
 * a live scan (as root, -d) of a real scene (an unshare'd user+PID+net
 * namespace whose process has a hostile name) and real podman containers
 * (a pod among them). Every fact checked comes from the kernel
 * (/proc/PID/ns links) or from podman, never from graphns's own output;
 * the nsenter line is run with bash to see where it lands.
 * Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Engines } from '../helpers/engines';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import {
  argvOf,
  checkMarks,
  clickElement,
  dataset,
  emptyPoint,
  namespacesOf,
  offCentre,
  pidsIn,
  svgIdOf,
  markedIds,
  waitData,
} from '../helpers/viewer-ui';

/** argv[0] for the scene's process, as bash's printf writes it: ESC, a bidi override, a byte that is not UTF-8, BEL. */
const HOSTILE_PRINTF = 'ev\\x1b[31mil\\u202eX\\xffY\\x07z';
/** Its bytes, to check the kernel holds what we meant. */
const HOSTILE_BYTES = Buffer.from([
  ...Buffer.from('ev'),
  0x1b,
  ...Buffer.from('[31mil'),
  0xe2,
  0x80,
  0xae,
  ...Buffer.from('X'),
  0xff,
  ...Buffer.from('Y'),
  0x07,
  ...Buffer.from('z'),
]);
/** How the panel must show it: every one of them a visible escape. */
const HOSTILE_SHOWN = 'ev\\x1b[31mil\\u{202e}X\\xffY\\x07z';

const skip = needRoot || viewerSkip();
const shots = join(ROOT, 'test-results');

/** Where bash lands running `line` (the copied nsenter command): the namespace link of `type` there. */
function landsIn(line: string, type: string): string {
  const r = spawnSync('bash', ['-c', `${line} readlink /proc/self/ns/${type}`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.status, 0, `${line}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The panel's process rows: PID, name, user and container as shown. */
function panelProcesses(
  page: Page,
): Promise<{ pid: number; name: string; user: string; container: string }[]> {
  return page.evaluate(`[...document.querySelectorAll('#details tr[data-pid]')].map((tr) => ({
    pid: Number(tr.dataset.pid),
    name: tr.querySelector('td.name').textContent,
    user: tr.querySelector('td.user')?.textContent ?? '',
    container: tr.querySelector('td.container')?.textContent ?? '',
  }))`);
}

/** The effective uid of a process, as the kernel states it. */
function kernelEuid(pid: number): number {
  const m = /^Uid:\t\d+\t(\d+)\t/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!m) throw new Error(`no Uid line for PID ${pid}`);
  return Number(m[1]);
}

/** The user name NSS gives a uid (getent), or undefined when it has none. */
function userName(uid: number): string | undefined {
  const r = spawnSync('getent', ['passwd', String(uid)], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(':')[0] : undefined;
}

/** Assert the overlay outlines exactly these elements per kind of mark, on them. */
async function marksOn(page: Page, want: Record<string, readonly string[]>): Promise<void> {
  for (const [kind, ids] of Object.entries(want)) {
    const got = await checkMarks(page, kind, ids);
    assert.deepEqual(got.off, [], `${kind} outlines sit on their elements`);
    if (kind !== 'rel-edge') {
      assert.ok(
        got.outlines >= got.seen && got.outlines <= ids.length,
        `${kind}: ${got.outlines} outlines for ${got.seen} in view of ${ids.length}`,
      );
    }
  }
}

/** Click the namespace `key` in the drawing and wait for its panel. */
async function open(page: Page, key: string): Promise<void> {
  const row = await page.locator(`[id="a_row-${svgIdOf(key)}"]`).count();
  await clickElement(page, row > 0 ? `a_row-${svgIdOf(key)}` : svgIdOf(key));
  await waitData(page, 'details', key);
}

/** The nsenter line the panel copies (from the clipboard, or the fallback field if it refused). */
async function copyNsenter(page: Page): Promise<string> {
  await page.evaluate('delete document.documentElement.dataset.copied');
  await page.locator('#details section', { hasText: 'enter it' }).locator('button.copy').click();
  await waitData(page, 'copied', true);
  const how = (await dataset(page)).copied!;
  if (how.startsWith('fallback:')) return page.locator('#copy-fallback-text').inputValue();
  return page.evaluate('navigator.clipboard.readText()');
}

test(
  'the details panel: kernel facts, containers, nsenter, links, Escape, keyboard, hostile names',
  { skip, timeout: 300_000 },
  async (t) => {
    const scene = new Scene();
    const home = mkdtempSync(join(tmpdir(), 'graphns-details-home-'));
    const engines = await Engines.up(['podman']);
    let viewer: Viewer | undefined;
    try {
      const p = await scene.start([
        'env',
        'LC_ALL=C.UTF-8',
        'unshare',
        '--user',
        '--map-root-user',
        '--pid',
        '--net',
        '--fork',
        'bash',
        '-c',
        `exec -a "$(printf '${HOSTILE_PRINTF}')" sleep 1000`,
      ]);
      const cmdline = await argvOf(p.pid);
      const argv0 = cmdline.subarray(0, HOSTILE_BYTES.length + 1);
      assert.deepEqual(
        argv0,
        Buffer.concat([HOSTILE_BYTES, Buffer.from([0])]),
        'the name we meant',
      );
      // a PID namespace of three users: root, nobody (65534, named) and 54321 (no name)
      const users = await scene.start([
        'unshare',
        '--pid',
        '--fork',
        // the teardown kills unshare: its child, the namespace's init, then dies, and all in it
        '--kill-child',
        'bash',
        '-c',
        'for u in 65534 54321; do setpriv --reuid $u --regid $u --clear-groups sleep 1000 & done; wait',
      ]);
      const usersPid = `pid:${nsInode(users.pid, 'pid')}`;
      // both dropped before the viewer scans
      for (let i = 0; i < 500; i++) {
        const uids = pidsIn(usersPid).map(kernelEuid);
        if (uids.includes(65534) && uids.includes(54321)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const ns = {
        usersPid,
        user: `user:${nsInode(p.pid, 'user')}`,
        pid: `pid:${nsInode(p.pid, 'pid')}`,
        net: `net:${nsInode(p.pid, 'net')}`,
        hostPid: `pid:${nsInode('self', 'pid')}`,
      };
      viewer = await launchViewer(['-d'], { HOME: home, XDG_CONFIG_HOME: join(home, 'config') });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await viewer.browser
        .contexts()[0]!
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: viewer.origin });
      mkdirSync(shots, { recursive: true });
      assert.equal((await dataset(page)).state, 'ready');

      await t.test("a click on a PID namespace: its processes are the kernel's", async () => {
        const whole = (await page.locator('#graph').boundingBox())!;
        await open(page, ns.pid);
        const shown = await panelProcesses(page);
        assert.deepEqual(
          shown.map((r) => r.pid),
          pidsIn(ns.pid),
        );
        const text = await page.locator('#details').innerText();
        assert.ok(text.includes(`pid:[${ns.pid.split(':')[1]}]`), text);
        // its owner (the user namespace unshare made first) with the creator's uid, its parent
        const owner = page.locator(`#details button.ns-link[data-key="${ns.user}"]`);
        assert.equal(await owner.count(), 1, 'owner link');
        assert.match(
          await page.locator('#details').innerText(),
          new RegExp(`uid ${process.geteuid!()}\\b`),
        );
        assert.equal(
          await page.locator(`#details button.ns-link[data-key="${ns.hostPid}"]`).count(),
          1,
          'parent link',
        );
        // beside the drawing, which shrank: not under it
        const graph = (await page.locator('#graph').boundingBox())!;
        const panel = (await page.locator('#details').boundingBox())!;
        assert.ok(
          graph.width < whole.width - 100,
          `drawing shrank: ${whole.width} -> ${graph.width}`,
        );
        assert.ok(
          Math.abs(graph.x + graph.width - panel.x) < 2,
          'the panel starts where the drawing ends',
        );
        // selection and relations marked: the namespace, its owner and parent, the edges between
        const edges = [
          `e__${svgIdOf(ns.pid)}__${svgIdOf(ns.hostPid)}`,
          `e__${svgIdOf(ns.pid)}__${svgIdOf(ns.user)}`,
        ].sort();
        assert.deepEqual(await markedIds(page, 'sel'), [svgIdOf(ns.pid)]);
        assert.deepEqual(
          (await markedIds(page, 'rel')).sort(),
          [svgIdOf(ns.user), svgIdOf(ns.hostPid)].sort(),
        );
        assert.deepEqual((await markedIds(page, 'rel-edge')).sort(), edges);
        // ...and outlined in the overlay, on the nodes Chromium draws, one outline each
        await marksOn(page, {
          sel: [svgIdOf(ns.pid)],
          rel: [svgIdOf(ns.user), svgIdOf(ns.hostPid)],
          'rel-edge': edges,
        });
        // still on them after a drag and a zoom step
        const at = await emptyPoint(page);
        await page.mouse.move(at.x, at.y);
        await page.mouse.down();
        await page.mouse.move(at.x - 60, at.y + 25, { steps: 4 });
        await page.mouse.up();
        await page.keyboard.press('+');
        await marksOn(page, {
          sel: [svgIdOf(ns.pid)],
          rel: [svgIdOf(ns.user), svgIdOf(ns.hostPid)],
          'rel-edge': edges,
        });
        await page.screenshot({ path: join(shots, 'viewer-details-selection.png') });
      });

      await t.test('a hostile process name shows escaped, as text', async () => {
        const rows = await panelProcesses(page);
        const row = rows.find((r) => r.pid === p.pid);
        assert.ok(row, `PID ${p.pid} listed: ${JSON.stringify(rows)}`);
        assert.equal(row.name, HOSTILE_SHOWN);
        const raw = await page.evaluate(`(() => {
          // what the panel built (the page's own markup around it has line breaks)
          const text = document.getElementById('details-body').textContent +
            document.getElementById('details-title').textContent;
          return { control: /[\\u0000-\\u001f\\u007f\\u202a-\\u202e\\u2066-\\u2069\\udc80-\\udcff]/.test(text),
                   title: document.getElementById('details-title').textContent };
        })()`);
        assert.deepEqual(raw, {
          control: false,
          title: `pid:[${ns.pid.split(':')[1]}]  ${HOSTILE_SHOWN} (${p.pid})`,
        });
        await page.screenshot({ path: join(shots, 'viewer-details-hostile.png') });
      });

      await t.test('copy nsenter: bash runs the copied line into that namespace', async () => {
        const line = await copyNsenter(page);
        assert.match(line, /^nsenter /);
        assert.equal(landsIn(line, 'pid'), `pid:[${ns.pid.split(':')[1]}]`);
        // the copy id button too
        await page.evaluate('delete document.documentElement.dataset.copied');
        await page.locator('#details button.copy', { hasText: 'copy id' }).click();
        await waitData(page, 'copied', true);
        if ((await dataset(page)).copied === 'the id') {
          assert.equal(
            await page.evaluate('navigator.clipboard.readText()'),
            `pid:[${ns.pid.split(':')[1]}]`,
          );
        }
      });

      await t.test("each process's user: the kernel's effective uid and NSS's name", async () => {
        await open(page, ns.usersPid);
        const rows = await panelProcesses(page);
        assert.deepEqual(
          rows.map((r) => r.pid),
          pidsIn(ns.usersPid),
        );
        const seen = new Set<number>();
        for (const r of rows) {
          const uid = kernelEuid(r.pid);
          seen.add(uid);
          const name = userName(uid);
          assert.equal(
            r.user,
            name !== undefined ? `${uid} (${name})` : String(uid),
            `PID ${r.pid}`,
          );
        }
        // root, nobody (a name) and a uid with no name, all three shown
        assert.deepEqual(
          [...seen].sort((a, b) => a - b),
          [0, 54321, 65534],
        );
        assert.equal(userName(54321), undefined, 'uid 54321 has no name here');
      });

      await t.test('related namespaces are links that select and centre their node', async () => {
        for (const key of [ns.user, ns.hostPid]) {
          await open(page, ns.pid);
          await page.locator(`#details button.ns-link[data-key="${key}"]`).click();
          await waitData(page, 'details', key);
          const off = await offCentre(page, svgIdOf(key));
          assert.ok(
            Math.abs(off.dx) < 3 && Math.abs(off.dy) < 3,
            `${key} centred: ${JSON.stringify(off)}`,
          );
          assert.ok(Number((await dataset(page)).zoom) >= 0.999, 'at a readable zoom');
        }
      });

      await t.test("a podman container's namespaces name the container and its pod", async (tt) => {
        const why = engines.skip('podman') || engines.podSkip;
        if (why) return tt.skip(why);
        const cart = engines.byBase('podman', 'cart')!;
        const cartPid = `pid:${nsInode(cart.pid, 'pid')}`;
        await open(page, cartPid);
        const procs = await panelProcesses(page);
        assert.deepEqual(
          procs.map((r) => r.pid),
          pidsIn(cartPid),
        );
        assert.ok(
          procs.every((r) => r.container === cart.name),
          JSON.stringify(procs),
        );
        const containers = await page
          .locator('#details section', { hasText: 'containers' })
          .innerText();
        assert.ok(containers.includes(cart.name), containers);
        const pods = await page.locator('#details section', { hasText: 'pods' }).innerText();
        assert.ok(pods.includes(cart.pod!.name), pods);
        await page.screenshot({ path: join(shots, 'viewer-details-container.png') });
        // the pod's net namespace (its infra container holds it, cart joined it): a click on its
        // row or node; the nsenter line lands in it
        const cartNet = `net:${nsInode(cart.pid, 'net')}`;
        assert.ok(namespacesOf(cart.pid).includes(cartNet));
        await open(page, cartNet);
        assert.deepEqual(
          (await panelProcesses(page)).map((r) => r.pid),
          pidsIn(cartNet),
        );
        assert.ok((await page.locator('#details').innerText()).includes(cart.pod!.name));
        assert.equal(landsIn(await copyNsenter(page), 'net'), `net:[${cartNet.split(':')[1]}]`);
      });

      await t.test(
        'Escape closes the panel, a click on empty space too, a drag does not',
        async () => {
          await open(page, ns.net);
          await page.locator('#details-close').focus();
          await page.keyboard.press('Escape');
          await waitData(page, 'details', undefined);
          assert.equal(await page.locator('#details').isHidden(), true);
          for (const kind of ['sel', 'rel', 'rel-edge'])
            assert.deepEqual(await markedIds(page, kind), [], `no ${kind} marked`);
          assert.equal(await page.locator('#marks path').count(), 0, 'no outline left');

          await open(page, ns.net);
          const at = await emptyPoint(page);
          await page.mouse.move(at.x, at.y);
          await page.mouse.down();
          await page.mouse.move(at.x + 40, at.y + 30, { steps: 4 });
          await page.mouse.up();
          assert.equal((await dataset(page)).details, ns.net, 'a drag is not a click');
          const empty = await emptyPoint(page);
          await page.mouse.click(empty.x, empty.y);
          await waitData(page, 'details', undefined);
        },
      );

      await t.test(
        "keyboard only: Tab reaches the panel's buttons, Enter follows a link",
        async () => {
          await open(page, ns.pid);
          const seen = new Set<string>();
          for (let i = 0; i < 200 && !(seen.has('copy') && seen.has('ns-link')); i++) {
            await page.keyboard.press('Tab');
            const where: string = await page.evaluate(
              `(() => { const a = document.activeElement; return a.closest('#details') ? (a.id || a.className) : ''; })()`,
            );
            if (where) seen.add(where.split(' ')[0]!);
          }
          assert.ok(
            seen.has('details-close') && seen.has('copy') && seen.has('ns-link'),
            [...seen].join(),
          );
          const target: string = await page.evaluate('document.activeElement.dataset.key');
          await page.keyboard.press('Enter');
          await waitData(page, 'details', target);
          assert.deepEqual(errors, []);
        },
      );
    } finally {
      await viewer?.close();
      await scene.teardown();
      const left = await engines.down();
      rmSync(home, { recursive: true, force: true });
      assert.deepEqual(left, [], 'engines removed');
    }
  },
);
