/**
 * The viewer's filters end to end: graphns's browser shell in headless
 * Chromium on a live scan of a real scene (unshare, an fd and a bind mount
 * holding namespaces nobody is in, podman containers). What the drawing
 * shows is read from the SVG's ids alone and checked against the kernel:
 * /proc/PID/ns links and the nsfs ioctls (parents, owners) of the scene's
 * processes, never against the model the viewer drew from.
 *
 * Screenshots land in test-results/ (the filter bar, a filtered view with
 * its context nodes).
 */
import { HANG_MS } from '../helpers/need';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { getParentNs, getUserNs, type NamespaceFile } from '../../main/relations';
import { Engines } from '../helpers/engines';
import { descendantsOf } from '../helpers/proc';
import { inodeOf, needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, viewTransform, type Viewer } from '../helpers/viewer';
import { relaidOut, waitData } from '../helpers/viewer-ui';
import type { PageDocument } from '../helpers/page-dom';

// page.evaluate() callbacks run in the browser (see page-dom.ts)
declare const document: PageDocument;
interface PageBox {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
}

const skip = needRoot || viewerSkip();
const FLAT = ['cgroup', 'ipc', 'mnt', 'net', 'uts', 'time'];
const ALL = ['user', 'pid', ...FLAT];

/** What the drawing shows, from the SVG ids: every namespace, those drawn faint, those folded. */
interface Drawn {
  keys: Set<string>;
  context: Set<string>;
  folded: Set<string>;
}

async function drawn(page: Page): Promise<Drawn> {
  // no named functions inside evaluate(): tsx would wrap them in a helper the page lacks
  const ids = (sel: string) =>
    page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.id), sel);
  const r = {
    keys: await ids('#graph svg g.node.ns, #graph svg g[id^="a_row-"]'),
    context: await ids('#graph svg g.node.context'),
    folded: await ids('#graph svg g.node.folded'),
  };
  // user-4026531837 and a_row-net-4026531840 -> user:4026531837, net:4026531840
  const key = (id: string) => id.replace(/^a_row-/, '').replace('-', ':');
  return {
    keys: new Set(r.keys.map(key)),
    context: new Set(r.context.map(key)),
    folded: new Set(r.folded.map(key)),
  };
}

const svgIdOf = (key: string) => key.replace(':', '-');

/** The centre of a namespace's node on screen, once svg-pan-zoom has applied its last move. */
async function centreOf(page: Page, key: string): Promise<{ x: number; y: number }> {
  await viewTransform(page);
  const b = await page.locator(`#${svgIdOf(key)}`).boundingBox();
  if (!b) throw new Error(`${key} is not drawn`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Every namespace node's centre on screen, and the drawing's middle. */
async function nodePlaces(
  page: Page,
): Promise<Map<string, { x: number; y: number }> & { mid: { x: number; y: number } }> {
  await viewTransform(page);
  const r = await page.evaluate(() => {
    const g = (document.getElementById('graph') as unknown as PageBox).getBoundingClientRect();
    const nodes = [...document.querySelectorAll('#graph svg g.node.ns')].map((e) => {
      const b = (e as unknown as PageBox).getBoundingClientRect();
      return [e.id, { x: b.left + b.width / 2, y: b.top + b.height / 2 }] as const;
    });
    return { nodes, mid: { x: g.left + g.width / 2, y: g.top + g.height / 2 } };
  });
  return Object.assign(new Map(r.nodes), { mid: r.mid });
}

/** The namespaces of a process, by its /proc/PID/ns links. */
function nsOf(pid: number): string[] {
  return readdirSync(`/proc/${pid}/ns`)
    .filter((t) => !t.endsWith('_for_children'))
    .map((t) => `${t}:${nsInode(pid, t)}`);
}

/** The parent of a user or PID namespace from the kernel, or undefined at the top. */
function parentOf(ns: NamespaceFile | string): NamespaceFile | undefined {
  try {
    return getParentNs(ns);
  } catch {
    return undefined;
  }
}

/**
 * A namespace's ancestors as the kernel tells them (NS_GET_PARENT,
 * NS_GET_USERNS): for a user or PID namespace its parents, for any other
 * its owning user namespace and that one's parents.
 */
function kernelAncestors(pid: number, type: string): string[] {
  const path = `/proc/${pid}/ns/${type}`;
  const out: string[] = [];
  let cur = type === 'user' || type === 'pid' ? parentOf(path) : getUserNs(path);
  while (cur) {
    out.push(`${cur.typeName}:${cur.id}`);
    const next = parentOf(cur);
    cur.close();
    cur = next;
  }
  return out;
}

const typeOf = (k: string) => k.slice(0, k.indexOf(':'));

test(
  'filters draw exactly what they keep, checked against the kernel',
  { skip, timeout: 300_000 },
  async (t) => {
    const scene = new Scene();
    const dir = mkdtempSync(join(tmpdir(), 'graphns-filters-'));
    const bindFile = join(dir, 'netns');
    let viewer: Viewer | undefined;
    const engines = await Engines.up(['podman']);
    try {
      // a user namespace with a child user namespace, each with a PID namespace
      const nested = await scene.start(['unshare', '-Urpf', 'unshare', '-Urpf', 'sleep', '1000']);
      const held = await scene.start(['unshare', '-Urn', 'sleep', '1001']);
      // a net namespace only an fd holds, and one only a bind mount holds
      const target = await scene.start(['unshare', '-n', 'sleep', '1002']);
      const fdNet = `net:${nsInode(target.pid, 'net')}`;
      await scene.start(['bash', '-c', `exec 7</proc/${target.pid}/ns/net; exec sleep 1003`]);
      await scene.kill(target);
      writeFileSync(bindFile, '');
      execFileSync('unshare', [`--net=${bindFile}`, 'true']);
      const bindNet = `net:${inodeOf(bindFile)}`;

      const innerUser = `user:${nsInode(nested.pid, 'user')}`;
      const outer = getParentNs(`/proc/${nested.pid}/ns/user`);
      const outerUser = `user:${outer.id}`;
      outer.close();
      const scenePids = [nested.pid, held.pid];

      viewer = await launchViewer(['-d'], {}, 60_000);
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });

      /** Filters back to the start, whatever a failed subtest left. */
      const reset = async () => {
        if ((await page.evaluate(() => document.documentElement.dataset.filter)) !== 'default') {
          await page.keyboard.press('Escape');
          await relaidOut(page, () => page.locator('#f-reset').click());
        }
      };
      t.afterEach(reset);

      /** Every scene and host namespace of a shown type is drawn; no namespace of a hidden type is. */
      const checkTypes = (d: Drawn, shown: string[]) => {
        for (const k of d.keys) assert.ok(shown.includes(typeOf(k)), `${k} drawn, its type hidden`);
        for (const pid of [process.pid, ...scenePids]) {
          for (const k of nsOf(pid)) {
            if (shown.includes(typeOf(k))) assert.ok(d.keys.has(k), `${k} (PID ${pid}) drawn`);
            else assert.ok(!d.keys.has(k), `${k} (PID ${pid}) hidden`);
          }
        }
      };

      await t.test(
        'with -d every type is drawn, the filter bar says nothing is hidden',
        async () => {
          checkTypes(await drawn(page), ALL);
          assert.equal(await page.locator('#f-flat').isChecked(), true);
          assert.equal(
            await page.evaluate(() => document.documentElement.dataset.filter),
            'default',
          );
        },
      );

      await t.test('type toggles draw exactly the namespaces of the other types', async () => {
        const before = await nodePlaces(page);
        await relaidOut(page, () => page.locator('#f-type-net').uncheck());
        checkTypes(
          await drawn(page),
          ALL.filter((x) => x !== 'net'),
        );
        // the view keeps its place: a node near the middle that is still drawn has not moved
        const after = await nodePlaces(page);
        const moved = [...before]
          .filter(
            ([id, p]) => after.has(id) && Math.hypot(p.x - before.mid.x, p.y - before.mid.y) < 200,
          )
          .map(([id, p]) => Math.hypot(after.get(id)!.x - p.x, after.get(id)!.y - p.y));
        assert.ok(moved.length > 0, 'nodes near the middle before and after');
        assert.ok(Math.min(...moved) < 2, `one of them stayed put: moved ${moved.join(', ')}`);
        await relaidOut(page, () => page.locator('#f-type-ipc').uncheck());
        await relaidOut(page, () => page.locator('#f-type-pid').uncheck());
        const shown = ALL.filter((x) => !['net', 'ipc', 'pid'].includes(x));
        checkTypes(await drawn(page), shown);
        const state = await page.locator('#f-state').textContent();
        assert.match(state ?? '', /no ipc, pid, net/);
        assert.match(state ?? '', /\d+ of \d+ shown, \d+ hidden/);
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-filters-bar.png') });
      });

      await t.test(
        'however many lines the bar wraps to, the drawing, overlay, panel and find box sit below it',
        async () => {
          // the window's own size, narrowed by emulation and given back after
          const size: { width: number; height: number } = await page.evaluate(
            '({ width: innerWidth, height: innerHeight })',
          );
          const cdp = await page.context().newCDPSession(page);
          const resize = (width: number) =>
            cdp.send('Emulation.setDeviceMetricsOverride', {
              width,
              height: size.height,
              deviceScaleFactor: 0,
              mobile: false,
            });
          // a string: the tests' type world has no DOM
          const places = (): Promise<
            Record<'bar' | 'graph' | 'marks' | 'details' | 'find', number>
          > =>
            page.evaluate(`(() => {
              const box = (id) => document.getElementById(id).getBoundingClientRect();
              return { bar: box('filters').bottom, graph: box('graph').top, marks: box('marks').top,
                       details: box('details').top, find: box('find').top };
            })()`);
          try {
            // the find box open on the host's user namespace, its details beside the drawing
            await page.keyboard.press('/');
            await waitData(page, 'find', 'open');
            await page.locator('#find-input').fill('4026531837');
            await waitData(page, 'findQuery', '4026531837');
            await page.keyboard.press('Control+Enter');
            await waitData(page, 'details', 'user:4026531837');
            const ends: number[] = [];
            for (const width of [size.width, 560, 380]) {
              await resize(width);
              // the bar's ResizeObserver runs with the next frames
              let p = await places();
              // until it has (a state; HANG_MS only against a hang)
              for (
                const t0 = Date.now();
                Math.abs(p.graph - p.bar) >= 1 && Date.now() - t0 < HANG_MS;
              ) {
                await page.waitForTimeout(50);
                p = await places();
              }
              ends.push(p.bar);
              for (const k of ['graph', 'marks', 'details'] as const) {
                assert.ok(
                  Math.abs(p[k] - p.bar) < 1,
                  `${width} px wide: #${k} starts at ${p[k]}, the bar ends at ${p.bar}`,
                );
              }
              assert.ok(
                p.find > p.bar,
                `${width} px wide: the find box (${p.find}) is below the bar`,
              );
            }
            assert.ok(ends[2]! > ends[0]! + 10, `the bar wrapped: it ends at ${ends.join(', ')}`);
            await page.keyboard.press('Escape');
            await page.keyboard.press('Escape');
            await waitData(page, 'details', undefined);
          } finally {
            await cdp.send('Emulation.clearDeviceMetricsOverride');
            await cdp.detach();
            // whatever failed, no find box or panel left open for the next subtest
            for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
          }
        },
      );

      await t.test('d turns the flat namespaces off and on, keys in the bar too', async () => {
        checkTypes(await drawn(page), ALL);
        await page.locator('#graph').click({ position: { x: 5, y: 5 } });
        await relaidOut(page, () => page.keyboard.press('d'));
        checkTypes(await drawn(page), ['user', 'pid']);
        assert.equal(await page.locator('#f-type-net').isDisabled(), true);
        // keyboard only: f goes to the bar's first control (the wiring), Tab to flat, Space toggles it
        await page.keyboard.press('f');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-net');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-flat');
        await relaidOut(page, () => page.keyboard.press('Space'));
        checkTypes(await drawn(page), ALL);
        // a checkbox with focus takes no text: shortcuts still work there
        await relaidOut(page, () => page.keyboard.press('d'));
        checkTypes(await drawn(page), ['user', 'pid']);
        await page.keyboard.press('Escape');
        await relaidOut(page, () => page.keyboard.press('0'));
        checkTypes(await drawn(page), ALL);
      });

      await t.test('hide empty hides the namespaces only an fd or a bind mount holds', async () => {
        const before = await drawn(page);
        assert.ok(before.keys.has(fdNet), `${fdNet} (fd only) drawn`);
        assert.ok(before.keys.has(bindNet), `${bindNet} (bind mount only) drawn`);
        await relaidOut(page, () => page.keyboard.press('e'));
        const after = await drawn(page);
        assert.ok(!after.keys.has(fdNet), `${fdNet} hidden`);
        assert.ok(!after.keys.has(bindNet), `${bindNet} hidden`);
        for (const pid of [process.pid, ...scenePids]) {
          for (const k of nsOf(pid)) assert.ok(after.keys.has(k), `${k} has a process: drawn`);
        }
        assert.equal(await page.locator('#f-empty').isChecked(), true);
        await relaidOut(page, () => page.keyboard.press('e'));
        assert.ok((await drawn(page)).keys.has(fdNet), 'shown again');
      });

      await t.test('only one podman container: its namespaces, its ancestors faint', async (tt) => {
        const skipped = engines.skip('podman');
        if (skipped) {
          tt.skip(skipped);
          return;
        }
        const web1 = engines.byBase('podman', 'web1')!;
        const pids = [web1.pid, ...descendantsOf(web1.pid)];
        const own = new Set(pids.flatMap(nsOf));
        const ancestors = new Set(
          pids.flatMap((pid) =>
            ALL.flatMap((type) => kernelAncestors(pid, type)).filter((k) => !own.has(k)),
          ),
        );
        await page.locator('#f-scope').focus(); // lists the model's containers
        await relaidOut(page, () =>
          page.locator('#f-scope').selectOption({ label: `${web1.name} (podman)` }),
        );
        const d = await drawn(page);
        const kept = new Set([...d.keys].filter((k) => !d.context.has(k)));
        assert.deepEqual([...kept].sort(), [...own].sort(), "exactly the container's namespaces");
        assert.deepEqual([...d.context].sort(), [...ancestors].sort(), 'its ancestors as context');
        await page.keyboard.press('Escape'); // out of the select: keys are shortcuts again
        await page.keyboard.press('1'); // 1x, centred: readable in the screenshot
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-filters-container.png') });
      });

      await t.test('found and selected, c collapses it and expands it, in place', async () => {
        const ino = outerUser.slice('user:'.length);
        // the user's way to a node on a large host: find it (Enter centres it), select it
        await page.keyboard.press('/');
        await page.keyboard.type(`user:[${ino}]`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(
          (k) => document.documentElement.dataset.findCurrent === k,
          outerUser,
          { polling: 50 },
        );
        await page.keyboard.press('Control+Enter');
        await page.waitForFunction(
          (k) => document.documentElement.dataset.selected === k,
          outerUser,
          { polling: 50 },
        );
        await page.keyboard.press('Escape'); // the find box closes, the selection stays
        await viewTransform(page);
        const { x, y } = await centreOf(page, outerUser);
        await relaidOut(page, () => page.keyboard.press('c'));
        const folded = await drawn(page);
        assert.ok(folded.folded.has(outerUser), 'drawn as folded');
        assert.ok(!folded.keys.has(innerUser), 'its child is hidden');
        const text = await page.locator(`#${svgIdOf(outerUser)}`).textContent();
        assert.match(text ?? '', /\d+ more below, collapsed/);
        const moved = await centreOf(page, outerUser);
        assert.ok(
          Math.abs(moved.x - x) < 3 && Math.abs(moved.y - y) < 3,
          'the selection stays put',
        );
        assert.match((await page.locator('#f-state').textContent()) ?? '', /1 collapsed/);
        await relaidOut(page, () => page.keyboard.press('c'));
        assert.ok((await drawn(page)).keys.has(innerUser), 'expanded again');
      });

      await t.test(
        'double-click collapses a user namespace, again expands it, in place',
        async () => {
          // the previous subtest left it centred in the window
          const { x, y } = await centreOf(page, outerUser);
          assert.ok((await drawn(page)).keys.has(innerUser), 'the child user namespace is drawn');
          await relaidOut(page, () => page.mouse.dblclick(x, y));
          const folded = await drawn(page);
          assert.ok(folded.folded.has(outerUser), 'drawn as folded');
          assert.ok(!folded.keys.has(innerUser), 'its child is hidden');
          const moved = await centreOf(page, outerUser);
          assert.equal(
            await page.evaluate(() => document.documentElement.dataset.keptPlace),
            svgIdOf(outerUser),
            'the page kept the collapsed node in place',
          );
          assert.ok(Math.abs(moved.x - x) < 3, `stays in place: x ${moved.x} for ${x}`);
          assert.ok(Math.abs(moved.y - y) < 3, `stays in place: y ${moved.y} for ${y}`);
          await relaidOut(page, () => page.mouse.dblclick(x, y));
          const open = await drawn(page);
          assert.ok(open.keys.has(innerUser), 'expanded again');
          assert.equal(open.folded.size, 0);
        },
      );

      await t.test('the help lists the filter keys', async () => {
        const help = (await page.locator('#help-keys').textContent()) ?? '';
        for (const words of ['flat namespaces', 'hide namespaces no process', 'filter bar']) {
          assert.ok(help.includes(words), `help says ${words}`);
        }
        assert.ok(help.includes('double-click'), 'help names the double-click');
      });

      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await viewer?.close();
      await scene.teardown();
      try {
        execFileSync('umount', [bindFile]);
      } catch {
        /* not mounted */
      }
      rmSync(dir, { recursive: true, force: true });
      await engines.down();
    }
  },
);
