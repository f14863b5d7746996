/**
 * What the viewer's details and find tests share: the kernel's answers
 * (which processes are in a namespace, which namespaces a process is in,
 * read from /proc/PID/ns links) and a few reads of the page (its data-*
 * state, where an element is on screen against the drawing's centre, a
 * point of the drawing with nothing on it).
 */
import { HANG_MS } from './need';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Page } from 'playwright-core';

const NS_LINK = /^([a-z_]+):\[(\d+)\]$/;

/** The namespaces `pid` is in, as model keys (`net:4026531840`), from /proc/PID/ns (no *_for_children). */
export function namespacesOf(pid: number): string[] {
  return readdirSync(`/proc/${pid}/ns`)
    .filter((t) => !t.endsWith('_for_children'))
    .map((t) => {
      const m = NS_LINK.exec(readlinkSync(`/proc/${pid}/ns/${t}`));
      if (!m) throw new Error(`odd link /proc/${pid}/ns/${t}`);
      return `${m[1]}:${m[2]}`;
    });
}

/** Every PID whose /proc/PID/ns/TYPE is the namespace `key` (`pid:4026532000`), sorted. */
export function pidsIn(key: string): number[] {
  const [type, ino] = key.split(':') as [string, string];
  const want = `${type}:[${ino}]`;
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/${type}`) === want) out.push(Number(e));
    } catch {
      /* exited, or a kernel thread we may not read */
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * /proc/PID/cmdline once the process's exec has set it up: the kernel
 * gives the process its new name (what Scene waits for) a moment before.
 */
export async function argvOf(pid: number): Promise<Buffer> {
  // until exec has set it up (a state), or the process is gone (readFileSync throws)
  for (const start = Date.now(); Date.now() - start < HANG_MS;) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`);
    if (cmdline.length > 0) return cmdline;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`PID ${pid} has no command line after ${HANG_MS} ms: hung`);
}

/** `<html data-*>` of the page now. */
export function dataset(page: Page): Promise<Record<string, string | undefined>> {
  return page.evaluate('({ ...document.documentElement.dataset })');
}

type Dataset = Record<string, string | undefined>;
interface DOMTokenListLike {
  contains(token: string): boolean;
}

/**
 * Wait until the page's `<html data-NAME>` is `value` (undefined: absent;
 * `true`: present, whatever its value). A function, not a string: the
 * page's CSP forbids the eval that a string predicate needs.
 */
export async function waitData(
  page: Page,
  name: string,
  value: string | undefined | true,
  timeout = HANG_MS, // a guard against a hang: the wait ends on the attribute's state
): Promise<void> {
  await page.waitForFunction(
    ([n, v]) => {
      const doc = (globalThis as unknown as { document: { documentElement: { dataset: Dataset } } })
        .document;
      const have = doc.documentElement.dataset[n];
      return v === true ? have !== undefined : have === v;
    },
    [name, value] as const,
    { timeout },
  );
}

/**
 * How far the centre of the element `id` is from the centre of the drawing
 * (#graph), in screen pixels, once svg-pan-zoom has applied its last
 * change (it does so at the next animation frame).
 */
export async function offCentre(page: Page, id: string): Promise<{ dx: number; dy: number }> {
  return page.evaluate(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // a large graph hides its labels while a zoom settles (view.ts): measure the node as shown after
    for (let i = 0; i < ${HANG_MS / 20} && document.getElementById('graph').classList.contains('zooming'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const el = document.getElementById(${JSON.stringify(id)});
    if (!el) throw new Error('no element ' + ${JSON.stringify(id)});
    const e = el.getBoundingClientRect();
    const g = document.getElementById('graph').getBoundingClientRect();
    return {
      dx: e.left + e.width / 2 - (g.left + g.width / 2),
      dy: e.top + e.height / 2 - (g.top + g.height / 2),
    };
  })()`);
}

/** A point in the drawing where a click hits no node, row or edge (screen coordinates). */
export async function emptyPoint(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    for (let y = g.top + 10; y < g.bottom - 10; y += 15) {
      for (let x = g.left + 10; x < g.right - 10; x += 15) {
        const hit = document.elementFromPoint(x, y);
        if (hit && hit.closest('#graph') && !hit.closest('g.node, g.edge')) return { x, y };
      }
    }
    throw new Error('no empty point in the drawing');
  })()`);
}

/**
 * Click the middle of the drawing's element `id` (a node, or a table row),
 * first dragging the graph (as a user would) until it is in the window.
 */
export async function clickElement(page: Page, id: string): Promise<void> {
  let last: { x: number; y: number } | undefined;
  // a large graph (other tests' namespaces too) may need many drags
  // zoomed in for a row's labels: from then on drags only (zooming out again could loop)
  let zoomedIn = false;
  for (let i = 0; i < 200; i++) {
    const graph = await page.locator('#graph').boundingBox();
    if (!graph) throw new Error('no drawing');
    let box = await page.locator(`[id="${id}"]`).boundingBox();
    if (!box) throw new Error(`${id} is not drawn`);
    // a large graph zoomed out hides its labels, and a table row is only
    // text: aim at its table, and once that is in view zoom in around it,
    // as a user would to read it (zooming to 1x first would leave a wide
    // graph's far side dozens of drags away)
    const unreadable = box.width === 0 || box.height === 0;
    if (unreadable) {
      box = await page
        .locator(`[id="${id}"]`)
        .locator('xpath=ancestor::*[contains(@class, "node")][1]')
        .boundingBox();
      if (!box) throw new Error(`${id} has no box, nor has its node`);
    }
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const inside =
      x > graph.x + 20 &&
      x < graph.x + graph.width - 20 &&
      y > graph.y + 20 &&
      y < graph.y + graph.height - 20;
    const cx = graph.x + graph.width / 2;
    const cy = graph.y + graph.height / 2;
    const centred = Math.abs(x - cx) < graph.width / 4 && Math.abs(y - cy) < graph.height / 4;
    // far away (a busy host's graph is tens of thousands of pixels wide at 1x):
    // zoom out first, as a user would, rather than drag hundreds of times
    const far = Math.abs(x - cx) > 4 * graph.width || Math.abs(y - cy) > 4 * graph.height;
    if (far && !zoomedIn) {
      const before = (await dataset(page)).zoom;
      await page.keyboard.press('-');
      await page.evaluate(
        'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
      );
      // at the least zoom already: drag from here
      if ((await dataset(page)).zoom !== before) continue;
      zoomedIn = true;
    }
    if (inside && !unreadable) {
      await page.mouse.click(x, y);
      return;
    }
    if (unreadable && centred) {
      // one step in around the middle of what is seen; labels come back once it settles
      zoomedIn = true;
      await page.keyboard.press('+');
      await page.waitForFunction(
        () => {
          const g = (
            globalThis as unknown as {
              document: { getElementById(id: string): { classList: DOMTokenListLike } | null };
            }
          ).document.getElementById('graph');
          return !!g && (g.classList.contains('far') || !g.classList.contains('zooming'));
        },
        null,
        { timeout: HANG_MS },
      );
      last = undefined;
      continue;
    }
    if (last && Math.abs(last.x - x) < 1 && Math.abs(last.y - y) < 1) {
      throw new Error(`a drag did not move the graph (${id} stays at ${x}, ${y})`);
    }
    last = { x, y };
    // towards the middle (a row's table all the way, to zoom in around it),
    // as far as the drawing's own area allows: the pointer stays over it
    const clamp = (v: number, half: number) => {
      const most = Math.max(100, half - 30);
      return Math.max(-most, Math.min(most, v));
    };
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(
      cx + clamp(cx - x, graph.width / 2),
      cy + clamp(cy - y, graph.height / 2),
      { steps: 4 },
    );
    await page.mouse.up();
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
    );
  }
  const state: unknown = await page.evaluate(`(() => {
    const g = document.getElementById('graph');
    const r = document.getElementById(${JSON.stringify(id)}).getBoundingClientRect();
    return { zoom: document.documentElement.dataset.zoom, classes: g.className,
             graph: [g.clientWidth, g.clientHeight], row: [r.left, r.top, r.width, r.height].map(Math.round) };
  })()`);
  throw new Error(`could not bring ${id} into the window: ${JSON.stringify(state)}`);
}

/** The SVG id of a model key, as main/emit/dot.ts gives it. */
export const svgIdOf = (key: string): string => key.replace(/:/g, '-');

/** How the overlay (#marks, renderer/marks.ts) outlines the drawing's elements of one kind of mark. */
export interface MarkCheck {
  /** Outlines drawn for the kind: one per node or row box; edges' curves count one per path of the overlay. */
  outlines: number;
  /** The ids asked about that no outline sits on, each with why (of those in view). */
  off: string[];
  /** How many of the ids are nodes or rows in view (the overlay outlines only what reaches the view). */
  seen: number;
}

/**
 * The ids of the drawing's elements marked as `kind` (sel, rel, rel-edge,
 * match, match-current), every one and not only those near the view: the
 * list the overlay keeps on its layer (renderer/marks.ts). `checkMarks`
 * then says whether the outlines on screen agree.
 */
export async function markedIds(page: Page, kind: string): Promise<string[]> {
  const ids: string = await page.evaluate(
    `document.querySelector('#marks .mark-' + ${JSON.stringify(kind)})?.dataset.ids ?? ''`,
  );
  return ids.split(' ').filter((id) => id !== '');
}

/**
 * Whether the overlay's outlines of `kind` (sel, rel, rel-edge, match,
 * match-current) sit on the drawing's elements `ids`, as Chromium places
 * those on screen now: a node's or row's screen box must lie inside one
 * outline box that is at most a few pixels larger on each side; an edge's
 * curve must be in the outline and land on the same screen points. Only
 * elements in view (inside #graph) are checked for an outline: the overlay
 * leaves out what lies far from the view (renderer/marks.ts). Read after
 * svg-pan-zoom has applied its last change (at the next frame).
 */
export async function checkMarks(
  page: Page,
  kind: string,
  ids: readonly string[],
): Promise<MarkCheck> {
  return page.evaluate(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const zoom = Number(document.documentElement.dataset.zoom) || 1;
    const slack = 4 + 6 * zoom;
    const paths = [...document.querySelectorAll('#marks .mark-' + ${JSON.stringify(kind)} + ' path')];
    const boxes = [];
    const curves = [];
    const RECT = /M(-?[\\d.]+) (-?[\\d.]+)h(-?[\\d.]+)v(-?[\\d.]+)h-?[\\d.]+z/g;
    for (const p of paths) {
      const m = p.getScreenCTM();
      const d = p.getAttribute('d') || '';
      let n = 0;
      for (const r of d.matchAll(RECT)) {
        n++;
        const [x, y, w, h] = r.slice(1).map(Number);
        const a = new DOMPoint(x, y).matrixTransform(m);
        const b = new DOMPoint(x + w, y + h).matrixTransform(m);
        boxes.push({ l: Math.min(a.x, b.x), t: Math.min(a.y, b.y), r: Math.max(a.x, b.x), b: Math.max(a.y, b.y) });
      }
      if (n === 0) curves.push({ d, m });
    }
    const off = [];
    let seen = 0;
    const g = document.getElementById('graph').getBoundingClientRect();
    for (const id of ${JSON.stringify(ids)}) {
      const el = document.getElementById(id);
      if (!el) { off.push(id + ': not drawn'); continue; }
      if (el.classList.contains('edge')) {
        const own = el.querySelector('path');
        const d = own.getAttribute('d');
        const start = /^M(-?[\\d.]+),(-?[\\d.]+)/.exec(d);
        const at = new DOMPoint(Number(start[1]), Number(start[2])).matrixTransform(own.getScreenCTM());
        const hit = curves.find((c) => {
          if (!c.d.includes(d)) return false;
          const p = new DOMPoint(Number(start[1]), Number(start[2])).matrixTransform(c.m);
          return Math.abs(p.x - at.x) < 1 && Math.abs(p.y - at.y) < 1;
        });
        if (!hit) off.push(id + ': no outline on its curve');
        continue;
      }
      const e = el.getBoundingClientRect();
      if (e.width === 0 && e.height === 0) { off.push(id + ': no box on screen'); continue; }
      if (e.right < g.left || e.left > g.right || e.bottom < g.top || e.top > g.bottom) continue;
      seen++;
      const on = boxes.find((b) =>
        b.l <= e.left + 1 && b.t <= e.top + 1 && b.r >= e.right - 1 && b.b >= e.bottom - 1 &&
        e.left - b.l <= slack && e.top - b.t <= slack && b.r - e.right <= slack && b.b - e.bottom <= slack);
      if (!on) off.push(id + ': box ' + JSON.stringify([e.left, e.top, e.right, e.bottom].map(Math.round)) + ' in no outline');
    }
    return { outlines: boxes.length + curves.length, off, seen };
  })()`);
}

/** Do `action` and wait until the page has laid out and shown the graph again. */
export async function relaidOut(page: Page, action: () => Promise<unknown>): Promise<void> {
  const layouts = () => dataset(page).then((d) => Number(d.layouts));
  const before = await layouts();
  await action();
  await page.waitForFunction(
    (n) => {
      const doc = (globalThis as unknown as { document: { documentElement: { dataset: Dataset } } })
        .document;
      const d = doc.documentElement.dataset;
      return Number(d.layouts) > n && d.state === 'ready';
    },
    before,
    // a guard against a hang: the wait ends on the page's state
    { polling: 50, timeout: HANG_MS },
  );
}

/** Wheel `notches` notches in (negative: out) around the drawing's middle, one every `gapMs`. */
export async function wheelNotches(page: Page, notches: number, gapMs: number): Promise<void> {
  const g = await page.locator('#graph').boundingBox();
  if (!g) throw new Error('no drawing');
  await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
  for (let i = 0; i < Math.abs(notches); i++) {
    await page.mouse.wheel(0, notches > 0 ? -100 : 100);
    await page.waitForTimeout(gapMs);
  }
}
