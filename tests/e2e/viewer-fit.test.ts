/**
 * Zoom to fit and the minimap end to end: the browser shell in headless
 * Chromium on snapshots (no root needed): the engines fixture (a host with
 * containers of six engines) and a synthetic host of 600 namespaces, all
 * drawn (-d). Every check compares with Chromium's own boxes
 * (getBoundingClientRect of the drawing's elements, of Graphviz's canvas,
 * of the map and its rectangle) and with the snapshot's own parent and
 * owner fields, never with what the page computes for itself.
 * Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel, type Model, type NsKey } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import { clickElement, dataset, offCentre, svgIdOf, waitData } from '../helpers/viewer-ui';
import { enginesModel } from '../unit/fixtures/dot-models';

/** The margin fitting keeps clear around what it fits (px, renderer/view.ts fitBox). */
const MARGIN = 16;

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

/** After svg-pan-zoom has applied its last change (at the next frame), and a large graph's labels settled. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let i = 0; i < 200 && document.getElementById('graph').classList.contains('zooming'); i++)
      await new Promise((r) => setTimeout(r, 20));
  })()`);
}

/** Chromium's box of each selector (a missing element: null). */
function rects(page: Page, selectors: string[]): Promise<(Rect | null)[]> {
  return page.evaluate(`${JSON.stringify(selectors)}.map((s) => {
    const el = document.querySelector(s);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  })`);
}

/** The drawing's area (#graph) and Graphviz's whole canvas (its background polygon) on screen. */
async function graphAndCanvas(page: Page): Promise<{ host: Rect; canvas: Rect }> {
  await settled(page);
  const [host, canvas] = await rects(page, ['#graph', '#graph svg g.graph > polygon']);
  assert.ok(host && canvas, 'the drawing and its canvas have boxes');
  return { host, canvas };
}

/** The union of boxes. */
function union(rs: Rect[]): Rect {
  const left = Math.min(...rs.map((r) => r.left));
  const top = Math.min(...rs.map((r) => r.top));
  const right = Math.max(...rs.map((r) => r.right));
  const bottom = Math.max(...rs.map((r) => r.bottom));
  return { left, top, right, bottom, width: right - left, height: bottom - top };
}

/**
 * That `box` is fitted in `host`: inside it with the margin, centred, and
 * filling it along one side (as far as the zoom's bounds allow).
 */
function assertFitted(box: Rect, host: Rect, what: string, slack = 3): void {
  const say = `${what}: ${JSON.stringify(box)} in ${JSON.stringify(host)}`;
  assert.ok(box.left >= host.left + MARGIN - slack, `${say}: left`);
  assert.ok(box.right <= host.right - MARGIN + slack, `${say}: right`);
  assert.ok(box.top >= host.top + MARGIN - slack, `${say}: top`);
  assert.ok(box.bottom <= host.bottom - MARGIN + slack, `${say}: bottom`);
  const cx = (box.left + box.right) / 2 - (host.left + host.right) / 2;
  const cy = (box.top + box.bottom) / 2 - (host.top + host.bottom) / 2;
  assert.ok(Math.abs(cx) < slack && Math.abs(cy) < slack, `${say}: centred (${cx}, ${cy})`);
  const fillsX = Math.abs(box.width - (host.width - 2 * MARGIN)) < slack;
  const fillsY = Math.abs(box.height - (host.height - 2 * MARGIN)) < slack;
  assert.ok(fillsX || fillsY, `${say}: fills a side`);
}

/**
 * What the drawing marks as related to `key`, from the model's own fields:
 * its parents up to the root (a flat namespace: its owner, then that
 * one's parents), a PID namespace's owner, its children, what a user
 * namespace owns.
 */
function relatedInModel(m: Model, key: NsKey): NsKey[] {
  const byKey = new Map(m.namespaces.map((n) => [n.key, n]));
  const ns = byKey.get(key)!;
  const out = new Set<NsKey>();
  let up = ns.type === 'user' || ns.type === 'pid' ? ns.parent : ns.owner;
  while (up !== undefined && byKey.has(up) && !out.has(up)) {
    out.add(up);
    up = byKey.get(up)!.parent;
  }
  if (ns.type === 'pid' && ns.owner !== undefined) out.add(ns.owner);
  for (const n of m.namespaces) {
    if (n.parent === key) out.add(n.key);
    if (ns.type === 'user' && n.owner === key) out.add(n.key);
  }
  out.delete(key);
  return [...out];
}

/** The drawn element of each key: its node, else its row of a group table. */
async function drawnIds(page: Page, keys: NsKey[]): Promise<string[]> {
  const ids = keys.flatMap((k) => [svgIdOf(k), `a_row-${svgIdOf(k)}`]);
  const found: string[] = await page.evaluate(
    `${JSON.stringify(ids)}.filter((id) => document.getElementById(id))`,
  );
  return keys.flatMap((k) => {
    const node = svgIdOf(k);
    if (found.includes(node)) return [node];
    return found.includes(`a_row-${node}`) ? [`a_row-${node}`] : [];
  });
}

/** The minimap's state as Chromium shows it. */
interface MapState {
  hidden: boolean;
  drawn: string | undefined;
  map: Rect | null;
  view: Rect | null;
}

function mapState(page: Page): Promise<MapState> {
  return page.evaluate(`(() => {
    const m = document.getElementById('minimap');
    const box = (el) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    return { hidden: m.hidden || m.offsetParent === null, drawn: m.dataset.drawn,
             map: box(m.querySelector('canvas')), view: box(m.querySelector('.minimap-view')) };
  })()`);
}

/**
 * That the map's rectangle shows what is seen: the part of Graphviz's
 * canvas inside the drawing's area, scaled from the canvas onto the map.
 */
async function assertRectangle(page: Page, what: string): Promise<void> {
  const { host, canvas } = await graphAndCanvas(page);
  const s = await mapState(page);
  assert.ok(!s.hidden && s.map && s.view, `${what}: the map is shown`);
  const sx = s.map.width / canvas.width;
  const sy = s.map.height / canvas.height;
  const want = {
    left: s.map.left + (Math.max(host.left, canvas.left) - canvas.left) * sx,
    right: s.map.left + (Math.min(host.right, canvas.right) - canvas.left) * sx,
    top: s.map.top + (Math.max(host.top, canvas.top) - canvas.top) * sy,
    bottom: s.map.top + (Math.min(host.bottom, canvas.bottom) - canvas.top) * sy,
  };
  for (const side of ['left', 'right', 'top', 'bottom'] as const) {
    // the rectangle is at least 4 px (style.css): a tiny view's may stick out
    const slack = side === 'right' || side === 'bottom' ? 5 : 1.5;
    assert.ok(
      Math.abs(s.view[side] - want[side]) < slack,
      `${what}: the rectangle's ${side} ${s.view[side]} where the view is, ${want[side]}`,
    );
  }
}

/** Where the centre of what is seen lies on the map (CSS px from its top left), by Chromium's boxes. */
async function viewCentreOnMap(page: Page): Promise<{ x: number; y: number }> {
  const { host, canvas } = await graphAndCanvas(page);
  const s = await mapState(page);
  assert.ok(s.map);
  return {
    x: (((host.left + host.right) / 2 - canvas.left) / canvas.width) * s.map.width,
    y: (((host.top + host.bottom) / 2 - canvas.top) / canvas.height) * s.map.height,
  };
}

test(
  'zoom to fit (w, W) and the minimap, against Chromium boxes',
  { skip: viewerSkip(), timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-fit-'));
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    let viewer: Viewer | undefined;
    try {
      const engines = enginesModel();
      const small = join(dir, 'engines.json');
      writeFileSync(small, serializeModel(engines));
      viewer = await launchViewer(['--open', small, '-d'], { HOME: dir });
      let page = viewer.page;
      let errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      await t.test('the help lists w, W and m', async () => {
        const rows: [string, string][] = await page.evaluate(
          `[...document.querySelectorAll('#help-keys tr')].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])`,
        );
        const help = (key: string) => rows.find(([k]) => k === key)?.[1] ?? '';
        assert.match(help('w'), /whole graph/);
        assert.match(help('W'), /selection/);
        assert.match(help('m'), /minimap/);
      });

      await t.test('w fits the whole graph; the map hides while it fits', async () => {
        // zoomed in, off to a side: then back
        for (let i = 0; i < 4; i++) await page.keyboard.press('+');
        await page.keyboard.press('w');
        const { host, canvas } = await graphAndCanvas(page);
        assertFitted(canvas, host, 'the whole graph');
        assert.equal((await mapState(page)).hidden, true, 'no map while the whole graph fits');
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-fit-all.png') });
      });

      await t.test('W without a selection says so and leaves the view', async () => {
        const before = await graphAndCanvas(page);
        await page.keyboard.press('W');
        assert.match((await page.locator('#status').textContent()) ?? '', /no namespace selected/);
        const after = await graphAndCanvas(page);
        assert.deepEqual(after.canvas, before.canvas, 'the view stays');
      });

      await t.test('W fits the selection and its relations, from the model', async () => {
        for (const name of ['web', 'box1']) {
          const c = engines.containers.find((x) => x.name === name)!;
          const pid = engines.processes.find((p) => p.container === c.key)!.ns.pid!;
          await page.keyboard.press('w');
          await clickElement(page, svgIdOf(pid));
          await waitData(page, 'selected', pid);
          // away from it first: zoomed in elsewhere
          await page.keyboard.press('1');
          await page.keyboard.press('W');
          const related = relatedInModel(engines, pid);
          assert.ok(related.length > 0, `${pid} has relations`);
          const ids = await drawnIds(page, [pid, ...related]);
          assert.ok(ids.length === related.length + 1, `all drawn: ${ids.join(' ')}`);
          await settled(page);
          const boxes = await rects(
            page,
            ids.map((id) => `[id="${id}"]`),
          );
          const { host } = await graphAndCanvas(page);
          assertFitted(
            union(boxes as Rect[]),
            host,
            `${name}'s PID namespace and its relations`,
            4,
          );
          assert.match(
            (await page.locator('#status').textContent()) ?? '',
            new RegExp(`fitted the selection and ${related.length} related namespace`),
          );
        }
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-fit-selection.png') });
        await page.keyboard.press('Escape');
        await waitData(page, 'selected', undefined);
      });

      await t.test(
        "at the 1 key's zoom, find's Enter and a details link pan, never zoom",
        async () => {
          // svg-pan-zoom's zoom is relative to the fit: 1 leaves a hair off 1x; below it, a
          // centring that asks for 1x would zoom, and a zoom repaints all of a large drawing
          await page.keyboard.press('1');
          await settled(page);
          const z = Number((await dataset(page)).zoom);
          assert.ok(z < 1 && z > 0.999, `the 1 key leaves a zoom a hair below 1x here: ${z}`);
          // every zoom the page makes is said in data-zoom (main.ts), even one to the same value
          await page.evaluate(`(() => {
          window.zoomsSeen = 0;
          new MutationObserver((rs) => { window.zoomsSeen += rs.length; })
            .observe(document.documentElement, { attributes: true, attributeFilter: ['data-zoom'] });
        })()`);
          const zoomsSeen = async (): Promise<number> => {
            await settled(page);
            return page.evaluate('window.zoomsSeen');
          };

          await page.keyboard.press('/');
          await waitData(page, 'find', 'open');
          await page.locator('#find-input').pressSequentially('web');
          await waitData(page, 'findQuery', 'web');
          await page.keyboard.press('Enter');
          await waitData(page, 'findCurrent', true);
          const hit = (await dataset(page)).findCurrent! as NsKey;
          const [hitId] = await drawnIds(page, [hit]);
          assert.ok(hitId, `${hit} is drawn`);
          let off = await offCentre(page, hitId);
          assert.ok(
            Math.abs(off.dx) < 2 && Math.abs(off.dy) < 2,
            `${hit} centred: ${JSON.stringify(off)}`,
          );
          assert.equal(await zoomsSeen(), 0, "find's Enter zoomed");
          await page.keyboard.press('Escape');
          await waitData(page, 'find', undefined);

          const web = engines.containers.find((x) => x.name === 'web')!;
          const pid = engines.processes.find((p) => p.container === web.key)!.ns.pid!;
          const owner = engines.namespaces.find((n) => n.key === pid)!.owner!;
          await clickElement(page, svgIdOf(pid));
          await waitData(page, 'details', pid);
          await page.locator(`#details button.ns-link[data-key="${owner}"]`).click();
          await waitData(page, 'details', owner);
          off = await offCentre(page, svgIdOf(owner));
          assert.ok(
            Math.abs(off.dx) < 2 && Math.abs(off.dy) < 2,
            `${owner} centred: ${JSON.stringify(off)}`,
          );
          assert.equal(await zoomsSeen(), 0, "the details' link zoomed");
          assert.equal(Number((await dataset(page)).zoom), z, 'the zoom is untouched');
          await page.keyboard.press('Escape');
          await waitData(page, 'selected', undefined);
        },
      );
      assert.deepEqual(errors, []);
      await viewer.close();

      const big = join(dir, 'synthetic.json');
      const synthetic = syntheticModel(600);
      writeFileSync(big, serializeModel(synthetic));
      viewer = await launchViewer(['--open', big, '-d'], { HOME: dir }, 120_000);
      page = viewer.page;
      errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const nodes = synthetic.namespaces.length;

      await t.test('a graph larger than the window: the map shows where the view is', async () => {
        await waitData(page, 'state', 'ready');
        await page.waitForFunction(
          (n) =>
            (
              globalThis as unknown as {
                document: { getElementById(id: string): { dataset: { drawn?: string } } };
              }
            ).document.getElementById('minimap').dataset.drawn === String(n),
          nodes,
          { timeout: 60_000 },
        );
        await assertRectangle(page, 'at the start');
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-minimap.png') });
        await page.locator('#minimap').screenshot({
          path: join(ROOT, 'test-results', 'viewer-minimap-map.png'),
        });
      });

      await t.test(
        'the map draws the nodes where Chromium has them, in their colours',
        async () => {
          // each node's box as Chromium has it, scaled onto the map's pixels; at a sample of
          // nodes' centres the map shows the colours (fill or border, as the page paints
          // them) of the last node in the drawing's order whose box touches that pixel (at
          // this scale a node is a pixel or two wide, and its neighbours share some)
          const probe: { hits: number; tried: number; misses: string[] } =
            await page.evaluate(`(() => {
          const g = document.querySelector('#graph svg g.graph > polygon').getBoundingClientRect();
          const canvas = document.querySelector('#minimap canvas');
          const c = canvas.getBoundingClientRect();
          const ctx = canvas.getContext('2d');
          const kx = (c.width * (canvas.width / c.width)) / g.width;
          const ky = (c.height * (canvas.height / c.height)) / g.height;
          const rgb = (s) => (s.match(/\\d+/g) || []).slice(0, 3).join(',');
          const all = [...document.querySelectorAll('#graph g.node')].map((el) => {
            const shape = el.querySelector(':scope > path, :scope > polygon');
            const r = shape.getBoundingClientRect();
            const st = getComputedStyle(shape);
            return {
              id: el.id,
              x0: Math.floor((r.left - g.left) * kx), x1: Math.ceil((r.right - g.left) * kx),
              y0: Math.floor((r.top - g.top) * ky), y1: Math.ceil((r.bottom - g.top) * ky),
              cx: ((r.left + r.width / 2 - g.left) * kx), cy: ((r.top + r.height / 2 - g.top) * ky),
              colours: [rgb(st.fill), rgb(st.stroke)],
              ns: el.classList.contains('ns'),
            };
          });
          const ns = all.filter((n) => n.ns);
          const step = Math.max(1, Math.floor(ns.length / 40));
          let hits = 0, tried = 0;
          const misses = [];
          for (let i = 0; i < ns.length; i += step) {
            const x = Math.floor(ns[i].cx), y = Math.floor(ns[i].cy);
            const over = all.filter((n) => n.x0 <= x && x < Math.max(n.x1, n.x0 + 1) && n.y0 <= y && y < Math.max(n.y1, n.y0 + 1));
            const top = over[over.length - 1];
            const px = ctx.getImageData(x, y, 1, 1).data;
            const got = px[0] + ',' + px[1] + ',' + px[2];
            tried++;
            if (top && top.colours.includes(got) && px[3] === 255) hits++;
            else misses.push(ns[i].id + ' at ' + x + ',' + y + ': ' + got + ', not ' + (top ? top.id + ' ' + top.colours.join(' / ') : 'no node'));
          }
          return { hits, tried, misses: misses.slice(0, 5) };
        })()`);
          assert.ok(probe.tried >= 20, `sampled ${probe.tried}`);
          assert.ok(
            probe.hits >= 0.95 * probe.tried,
            `${probe.hits} of ${probe.tried} nodes painted where they are: ${probe.misses.join('; ')}`,
          );
        },
      );

      await t.test("the selection and find's matches are marked on the map", async () => {
        // a namespace's node: where Chromium has it, scaled onto the map (device px)
        const id = svgIdOf(synthetic.namespaces[Math.floor(nodes / 3)]!.key);
        const at = (): Promise<{ x: number; y: number; rgb: string }> =>
          page.evaluate(`(() => {
            const g = document.querySelector('#graph svg g.graph > polygon').getBoundingClientRect();
            const canvas = document.querySelector('#minimap canvas');
            const shape = document.getElementById(${JSON.stringify(id)})
              .querySelector(':scope > path, :scope > polygon');
            const r = shape.getBoundingClientRect();
            const x = Math.floor((r.left + r.width / 2 - g.left) * (canvas.width / g.width));
            const y = Math.floor((r.top + r.height / 2 - g.top) * (canvas.height / g.height));
            const px = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
            return { x, y, rgb: px[0] + ',' + px[1] + ',' + px[2] };
          })()`);
        /** A colour of the theme (style.css), as a canvas paints it. */
        const colour = (name: string): Promise<string> =>
          page.evaluate(`(() => {
            const c = document.createElement('canvas');
            c.width = c.height = 1;
            const ctx = c.getContext('2d');
            ctx.fillStyle = getComputedStyle(document.getElementById('minimap')).getPropertyValue(${JSON.stringify(name)});
            ctx.fillRect(0, 0, 1, 1);
            const px = ctx.getImageData(0, 0, 1, 1).data;
            return px[0] + ',' + px[1] + ',' + px[2];
          })()`);
        const marks = (want: string) =>
          page.waitForFunction(
            (w) =>
              (
                globalThis as unknown as {
                  document: { getElementById(id: string): { dataset: { marks?: string } } };
                }
              ).document.getElementById('minimap').dataset.marks === w,
            want,
          );
        const before = await at();
        const [highlight, match, current] = await Promise.all(
          ['--highlight', '--match', '--match-current'].map(colour),
        );
        assert.notEqual(before.rgb, highlight, 'the node is not drawn in the mark colour');

        await clickElement(page, id);
        await waitData(page, 'selected', id.replace('-', ':'));
        await marks('match 0, match-current 0, sel 1');
        let now = await at();
        assert.deepEqual(now, { ...before, rgb: highlight }, 'the selection on the map');

        await page.keyboard.press('Escape');
        await waitData(page, 'selected', undefined);
        await marks('match 0, match-current 0, sel 0');
        assert.deepEqual(await at(), before, 'no selection: the map as drawn');

        // find by the namespace's id: one match, then the current one
        await page.keyboard.press('/');
        await waitData(page, 'find', 'open');
        await page.locator('#find-input').pressSequentially(id.split('-')[1]!);
        await waitData(page, 'findCount', '1');
        await marks('match 1, match-current 0, sel 0');
        now = await at();
        assert.deepEqual(now, { ...before, rgb: match }, "find's match on the map");
        await page.keyboard.press('Enter');
        await marks('match 1, match-current 1, sel 0');
        assert.deepEqual(await at(), { ...before, rgb: current }, 'the current match on the map');
        await page.keyboard.press('Escape');
        await waitData(page, 'find', undefined);
        await marks('match 0, match-current 0, sel 0');
        assert.deepEqual(await at(), before);
      });

      await t.test(
        'Shift+arrows move the view a third of the window, the rectangle with it',
        async () => {
          for (const [key, fx, fy] of [
            ['Shift+ArrowRight', -1, 0],
            ['Shift+ArrowDown', 0, -1],
            ['Shift+ArrowLeft', 1, 0],
            ['Shift+ArrowUp', 0, 1],
          ] as const) {
            const a = await graphAndCanvas(page);
            await page.keyboard.press(key);
            const b = await graphAndCanvas(page);
            const dx = b.canvas.left - a.canvas.left;
            const dy = b.canvas.top - a.canvas.top;
            assert.ok(
              Math.abs(dx - (fx * a.host.width) / 3) < 1 &&
                Math.abs(dy - (fy * a.host.height) / 3) < 1,
              `${key}: the graph moved by ${dx}, ${dy} in ${a.host.width}x${a.host.height}`,
            );
            await assertRectangle(page, `after ${key}`);
          }
        },
      );

      await t.test('a click on the map centres the view there', async () => {
        const s = await mapState(page);
        assert.ok(s.map);
        for (const [fx, fy] of [
          [0.8, 0.5],
          [0.3, 0.4],
        ] as const) {
          const x = s.map.left + fx * s.map.width;
          const y = s.map.top + fy * s.map.height;
          await page.mouse.click(x, y);
          const c = await viewCentreOnMap(page);
          assert.ok(
            Math.abs(c.x - fx * s.map.width) < 1.5 && Math.abs(c.y - fy * s.map.height) < 1.5,
            `clicked at ${fx},${fy}: the view's centre is at ${JSON.stringify(c)} of ${s.map.width}x${s.map.height}`,
          );
          await assertRectangle(page, `after a click at ${fx},${fy}`);
        }
        assert.equal(
          (await dataset(page)).selected,
          undefined,
          'a click on the map selects nothing',
        );
      });

      await t.test('dragging the rectangle moves the view with it', async () => {
        const before = await viewCentreOnMap(page);
        const s = await mapState(page);
        assert.ok(s.view);
        // held off its centre: the rectangle moves by what the pointer moves, no jump
        const x = s.view.left + s.view.width * 0.3;
        const y = s.view.top + s.view.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 40, y, { steps: 8 });
        await page.mouse.up();
        const after = await viewCentreOnMap(page);
        assert.ok(
          Math.abs(after.x - before.x - 40) < 1.5 && Math.abs(after.y - before.y) < 1.5,
          `moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}`,
        );
        await assertRectangle(page, 'after a drag');
      });

      await t.test(
        'a drag moves the drawing with the pointer, the marks and the map with it; released, it stays',
        async () => {
          // a namespace in view, selected: its outline in the overlay
          const id: string = await page.evaluate(`(() => {
            const g = document.getElementById('graph').getBoundingClientRect();
            for (const el of document.querySelectorAll('#graph g.node.ns')) {
              const r = el.getBoundingClientRect();
              if (r.left > g.left + g.width / 3 && r.right < g.right - g.width / 3 &&
                  r.top > g.top + g.height / 3 && r.bottom < g.bottom - g.height / 3) return el.id;
            }
            return '';
          })()`);
          assert.ok(id, 'a namespace in the middle of the view');
          await clickElement(page, id);
          await waitData(page, 'selected', id.replace('-', ':'));
          // the details panel narrows the drawing
          const { host } = await graphAndCanvas(page);
          const boxes = () =>
            rects(page, [`[id="${id}"]`, '#marks .mark-sel path', '#minimap .minimap-view']);
          const [node0, mark0, rect0] = await boxes();
          assert.ok(node0 && mark0 && rect0);
          const start = { x: host.left + host.width / 2, y: host.top + host.height / 2 };
          // past a third of the window: part of the move goes into the pan while the drag is on
          for (const [dx, dy] of [
            [-120, 40],
            [-0.45 * host.width, -50],
          ] as const) {
            await page.mouse.move(start.x, start.y);
            await page.mouse.down();
            await page.mouse.move(start.x + dx, start.y + dy, { steps: 12 });
            // held: the drawing, the selection's outline and the map's rectangle where the pointer took them
            await settled(page);
            const [node, mark, rect] = await boxes();
            assert.ok(node && mark && rect);
            const moved = (a: Rect, b: Rect) => ({ x: b.left - a.left, y: b.top - a.top });
            for (const [what, m] of [
              ['the node', moved(node0, node)],
              ['its outline', moved(mark0, mark)],
            ] as const) {
              assert.ok(
                Math.abs(m.x - dx) < 1 && Math.abs(m.y - dy) < 1,
                `held after ${dx},${dy}: ${what} moved ${m.x},${m.y}`,
              );
            }
            await assertRectangle(page, `while dragging ${dx},${dy}`);
            await page.mouse.up();
            await settled(page);
            const [after, markAfter] = await boxes();
            assert.ok(after && markAfter);
            const m = moved(node0, after);
            assert.ok(
              Math.abs(m.x - dx) < 1 && Math.abs(m.y - dy) < 1,
              `released: the node moved ${m.x},${m.y}, not ${dx},${dy}`,
            );
            const off = moved(after, markAfter);
            const off0 = moved(node0, mark0);
            assert.ok(
              Math.abs(off.x - off0.x) < 0.1 && Math.abs(off.y - off0.y) < 0.1,
              `the outline on the node: ${JSON.stringify(off)}, was ${JSON.stringify(off0)}`,
            );
            // the move stays a translation of the SVG element (view.ts): what was
            // off its box is drawn (overflow visible) and answers the pointer there
            const hit = await page.evaluate(`(() => {
              const r = document.getElementById(${JSON.stringify(id)}).getBoundingClientRect();
              const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
              return el?.closest('g.node')?.id ?? String(el?.id);
            })()`);
            assert.equal(hit, id, `after ${dx},${dy}: the pointer over the node finds it`);
            await assertRectangle(page, `after dragging ${dx},${dy}`);
            // back, for the next
            await page.mouse.move(start.x + dx, start.y + dy);
            await page.mouse.down();
            await page.mouse.move(start.x, start.y, { steps: 12 });
            await page.mouse.up();
            await settled(page);
            const [back] = await boxes();
            assert.ok(
              back && Math.abs(back.left - node0.left) < 1 && Math.abs(back.top - node0.top) < 1,
            );
          }
          assert.equal(
            (await dataset(page)).selected,
            id.replace('-', ':'),
            'a drag selects nothing',
          );
          // dragged away and zoomed there: the wheel zooms about the pointer, the
          // translation included (svg-pan-zoom reads the element's screen matrix)
          await page.mouse.move(start.x, start.y);
          await page.mouse.down();
          await page.mouse.move(start.x - 0.45 * host.width, start.y - 50, { steps: 12 });
          await page.mouse.up();
          await settled(page);
          const [held] = await boxes();
          assert.ok(held);
          const at = { x: held.left + held.width / 2, y: held.top + held.height / 2 };
          await page.mouse.move(at.x, at.y);
          await page.mouse.wheel(0, -100);
          await settled(page);
          const [zoomed] = await boxes();
          assert.ok(zoomed && zoomed.width > held.width * 1.05, 'the wheel zoomed in');
          const c = { x: zoomed.left + zoomed.width / 2, y: zoomed.top + zoomed.height / 2 };
          assert.ok(
            Math.abs(c.x - at.x) < 1.5 && Math.abs(c.y - at.y) < 1.5,
            `zoomed about the pointer at ${JSON.stringify(at)}: the node's centre is at ${JSON.stringify(c)}`,
          );
          await assertRectangle(page, 'zoomed after a drag');
          // + zooms about the middle of what is seen, the translation counted out
          const mid = { x: host.left + host.width / 2, y: host.top + host.height / 2 };
          await page.keyboard.press('+');
          await settled(page);
          const [plus] = await boxes();
          assert.ok(plus && zoomed);
          const k = plus.width / zoomed.width;
          assert.ok(k > 1.05, `+ zoomed in: ${k}`);
          const want = { x: mid.x + k * (c.x - mid.x), y: mid.y + k * (c.y - mid.y) };
          const got = { x: plus.left + plus.width / 2, y: plus.top + plus.height / 2 };
          assert.ok(
            Math.abs(got.x - want.x) < 2 && Math.abs(got.y - want.y) < 2,
            `+ about the middle ${JSON.stringify(mid)}: the node's centre is at ${JSON.stringify(got)}, not ${JSON.stringify(want)}`,
          );
          await page.keyboard.press('Escape');
        },
      );

      await t.test('zooming and panning the drawing move the rectangle', async () => {
        await page.keyboard.press('+');
        await assertRectangle(page, 'zoomed in');
        const { host } = await graphAndCanvas(page);
        const cx = (host.left + host.right) / 2;
        const cy = (host.top + host.bottom) / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        await page.mouse.move(cx - 200, cy + 50, { steps: 5 });
        await page.mouse.up();
        await assertRectangle(page, 'dragged');
      });

      await t.test(
        "a large graph's labels: every node seen shows its own, far ones are not laid out; a pan brings the new place's",
        async () => {
          assert.equal(
            await page.evaluate("document.getElementById('graph').classList.contains('many')"),
            true,
            'drawn as a large graph',
          );
          await page.keyboard.press('1');
          await settled(page);
          // Chromium's own answers: where each node's outline is on screen, and
          // whether its label is laid out (a text not displayed has no box)
          const labels = (): Promise<{ seen: string[]; unlabelled: string[]; far: number }> =>
            page.evaluate(`(() => {
              const g = document.getElementById('graph').getBoundingClientRect();
              const out = { seen: [], unlabelled: [], far: 0 };
              for (const el of document.querySelectorAll('#graph g.node.ns')) {
                const r = el.querySelector('path, polygon').getBoundingClientRect();
                const shown = [...el.querySelectorAll('text')].every((t) => getComputedStyle(t).display !== 'none' && t.getBBox().width > 0);
                if (r.right > g.left && r.left < g.right && r.bottom > g.top && r.top < g.bottom) {
                  out.seen.push(el.id);
                  if (!shown) out.unlabelled.push(el.id);
                } else if ((r.left > g.right + 2 * g.width || r.right < g.left - 2 * g.width) && !shown) out.far++;
              }
              return out;
            })()`);
          for (const [what, move] of [
            ['at 1x', async () => {}],
            [
              'dragged a window and a half to the left',
              async () => {
                const { host } = await graphAndCanvas(page);
                const y = host.top + host.height / 2;
                for (let i = 0; i < 3; i++) {
                  await page.mouse.move(host.right - 20, y);
                  await page.mouse.down();
                  await page.mouse.move(host.left + host.width * 0.5, y, { steps: 6 });
                  await page.mouse.up();
                }
              },
            ],
            [
              'moved by keys',
              async () => {
                for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
              },
            ],
          ] as const) {
            await move();
            await settled(page);
            const l = await labels();
            assert.ok(l.seen.length > 3, `${what}: nodes seen: ${l.seen.length}`);
            assert.deepEqual(l.unlabelled, [], `${what}: nodes seen without their labels`);
            assert.ok(l.far > 0, `${what}: nodes two windows away are not laid out`);
          }
        },
      );

      await t.test('m turns the map off and on; w hides it, a panel moves it', async () => {
        await page.keyboard.press('m');
        assert.equal((await mapState(page)).hidden, true);
        assert.match((await page.locator('#status').textContent()) ?? '', /minimap off/);
        await page.keyboard.press('m');
        assert.equal((await mapState(page)).hidden, false);
        await assertRectangle(page, 'on again');
        await page.keyboard.press('w');
        const { host, canvas } = await graphAndCanvas(page);
        assertFitted(canvas, host, 'the whole synthetic graph');
        assert.equal((await mapState(page)).hidden, true, 'the whole graph fits: no map');
        await page.keyboard.press('1');
        assert.equal((await mapState(page)).hidden, false);
        // the containers panel opens on the left: the map stays beside it
        await page.keyboard.press('a');
        await waitData(page, 'containers', true);
        await settled(page);
        const [panel] = await rects(page, ['#containers']);
        const s = await mapState(page);
        assert.ok(panel && s.map);
        assert.ok(
          s.map.left >= panel.right,
          `the map ${s.map.left} beside the panel ${panel.right}`,
        );
        await assertRectangle(page, 'beside the panel');
        await page.keyboard.press('Escape');
      });
      assert.deepEqual(errors, []);
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
