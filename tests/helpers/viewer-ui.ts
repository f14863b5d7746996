/**
 * What the viewer's details and find tests share: the kernel's answers
 * (which processes are in a namespace, which namespaces a process is in,
 * read from /proc/PID/ns links) and a few reads of the page (its data-*
 * state, where an element is on screen against the drawing's centre, a
 * point of the drawing with nothing on it).
 */
import { readdirSync, readlinkSync } from 'node:fs';
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

/** `<html data-*>` of the page now. */
export function dataset(page: Page): Promise<Record<string, string | undefined>> {
  return page.evaluate('({ ...document.documentElement.dataset })');
}

/** Wait until the page's `<html data-NAME>` is `value` (undefined: absent). */
export async function waitData(page: Page, name: string, value: string | undefined): Promise<void> {
  await page.waitForFunction(
    ([n, v]) =>
      (
        globalThis as unknown as {
          document: { documentElement: { dataset: Record<string, string> } };
        }
      ).document.documentElement.dataset[n!] === v,
    [name, value] as const,
    { timeout: 10_000 },
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
  const graph = await page.locator('#graph').boundingBox();
  if (!graph) throw new Error('no drawing');
  const cx = graph.x + graph.width / 2;
  const cy = graph.y + graph.height / 2;
  for (let i = 0; i < 20; i++) {
    const box = await page.locator(`[id="${id}"]`).boundingBox();
    if (!box) throw new Error(`${id} is not drawn`);
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const inside =
      x > graph.x + 20 &&
      x < graph.x + graph.width - 20 &&
      y > graph.y + 20 &&
      y < graph.y + graph.height - 20;
    if (inside) {
      await page.mouse.click(x, y);
      return;
    }
    const clamp = (v: number) => Math.max(-300, Math.min(300, v));
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + clamp(cx - x), cy + clamp(cy - y), { steps: 4 });
    await page.mouse.up();
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
    );
  }
  throw new Error(`could not bring ${id} into the window`);
}

/** The SVG id of a model key, as main/emit/dot.ts gives it. */
export const svgIdOf = (key: string): string => key.replace(/:/g, '-');
