/**
 * Relations in the drawing end to end: the browser shell in headless
 * Chromium on a live scan (as root, -d) of a real scene: a user and PID
 * namespace nested in another (`unshare -Urpf unshare -Urpfn`), the inner
 * one with a network namespace of its own, wired to the host's by a veth
 * pair. What is related comes from the kernel: the nsfs ioctls
 * (NS_GET_PARENT, NS_GET_USERNS) on every namespace a process is in
 * (/proc/PID/ns), and `ip -j` for the veth; never from graphns's output.
 *
 * Checked: a selection marks exactly the kernel's chain to the root, owner,
 * children and owned namespaces and the edges between, the outlines on the
 * elements Chromium draws, and veils the rest (the related boxes cut out of
 * the veil, an unrelated node's pixels paler, a related one's not); a
 * pointer resting on a namespace shows its relations, leaving lifts them;
 * `[` climbs the kernel's chain to the root user namespace, each step
 * selected and centred, the relations following it while the pointer
 * rests; `]` comes back down, and from a user namespace goes to what it
 * owns; in the wiring, the veth's other namespace is related, `]` goes
 * there along the wire and `[` back. Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { getParentNs, getUserNs, NS_TYPES, type NamespaceFile } from '../../main/relations';
import { HANG_MS } from '../helpers/need';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import {
  checkMarks,
  clickElement,
  dataset,
  emptyPoint,
  markedIds,
  offCentre,
  relaidOut,
  svgIdOf,
  waitData,
} from '../helpers/viewer-ui';

const skip = needRoot || viewerSkip();
const shots = join(ROOT, 'test-results');
const VETH = `gnsrel${process.pid % 100000}`;

const typeOf = (k: string) => k.slice(0, k.indexOf(':'));
/** A model key from an element id of the drawing (`a_row-net-4026531840` -> `net:4026531840`). */
const keyOfId = (id: string) => id.replace(/^a_row-/, '').replace('-', ':');

/** Every namespace some process is in, by key, with a path that opens it. */
function visibleNamespaces(): Map<string, string> {
  const out = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let types: string[];
    try {
      types = readdirSync(`/proc/${pid}/ns`).filter((t) => !t.endsWith('_for_children'));
    } catch {
      continue; // gone
    }
    for (const t of types) {
      try {
        const m = /^([a-z]+):\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/${t}`));
        if (m && !out.has(`${m[1]}:${m[2]}`)) out.set(`${m[1]}:${m[2]}`, `/proc/${pid}/ns/${t}`);
      } catch {
        /* gone, or a kernel thread */
      }
    }
  }
  return out;
}

/** The kernel's answer to one ioctl on `path`, as a key, or undefined (the top, out of reach, gone). */
function ask(f: (p: string) => NamespaceFile, path: string): string | undefined {
  try {
    const ns = f(path);
    const key = `${ns.typeName}:${ns.id}`;
    ns.close();
    return key;
  } catch {
    return undefined;
  }
}

/** What the kernel says of each namespace a process is in: its parent (user, PID) and owner. */
interface KernelNs {
  path: string;
  parent?: string;
  owner?: string;
}

function kernelNamespaces(): Map<string, KernelNs> {
  const out = new Map<string, KernelNs>();
  for (const [key, path] of visibleNamespaces()) {
    const chained = ['user', 'pid'].includes(typeOf(key));
    const parent = chained ? ask(getParentNs, path) : undefined;
    const owner = ask(getUserNs, path);
    out.set(key, { path, ...(parent && { parent }), ...(owner && { owner }) });
  }
  return out;
}

/**
 * A namespace's relations as the kernel states them: its parents up to the
 * root (a flat namespace's owner and that one's parents), a PID namespace's
 * owner, its children, and what a user namespace owns.
 */
function kernelRelations(all: Map<string, KernelNs>, key: string) {
  const ns = all.get(key)!;
  const chained = ['user', 'pid'].includes(typeOf(key));
  const ancestors: string[] = [];
  // above what processes are in, ask the kernel through the namespace files themselves
  let cur: NamespaceFile | undefined;
  try {
    cur = chained ? getParentNs(ns.path) : getUserNs(ns.path);
  } catch {
    cur = undefined;
  }
  while (cur) {
    ancestors.push(`${cur.typeName}:${cur.id}`);
    let next: NamespaceFile | undefined;
    try {
      next = getParentNs(cur);
    } catch {
      next = undefined;
    }
    cur.close();
    cur = next;
  }
  const children = [...all].filter(([, n]) => n.parent === key).map(([k]) => k);
  const owned =
    typeOf(key) === 'user'
      ? [...all].filter(([k, n]) => n.owner === key && k !== key).map(([k]) => k)
      : [];
  const owner = typeOf(key) === 'pid' ? ns.owner : undefined;
  return { ancestors, owner, children, owned };
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The drawing's element for `key`: its node, else its row of a group table. */
async function idFor(page: Page, key: string): Promise<string> {
  const row = await page.locator(`[id="a_row-${svgIdOf(key)}"]`).count();
  return row > 0 && (await page.locator(`[id="${svgIdOf(key)}"]`).count()) === 0
    ? `a_row-${svgIdOf(key)}`
    : svgIdOf(key);
}

/** The namespace whose relations are shown (`#marks[data-focus]`), once it is `key` (undefined: none). */
async function waitFocus(page: Page, key: string | undefined): Promise<void> {
  await page.waitForFunction(
    (k) => {
      const m = (
        globalThis as unknown as {
          document: { getElementById(id: string): { dataset: Record<string, string> } | null };
        }
      ).document.getElementById('marks');
      return m?.dataset.focus === (k ?? undefined);
    },
    key ?? null,
    { timeout: HANG_MS, polling: 20 },
  );
}

/**
 * The veil (#marks .mark-veil): whether each of `lit` in view has its own
 * screen box cut out of it, and which of `dim` in view lie in no hole.
 */
async function veilHoles(
  page: Page,
  lit: readonly string[],
  dim: readonly string[],
): Promise<{ paths: number; uncut: string[]; cut: string[]; seen: number }> {
  return page.evaluate(`(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const paths = [...document.querySelectorAll('#marks .mark-veil path')];
    const holes = [];
    const RECT = /M(-?[\\d.]+) (-?[\\d.]+)h(-?[\\d.]+)v(-?[\\d.]+)h-?[\\d.]+z/g;
    for (const p of paths) {
      const m = p.getScreenCTM();
      // the first rectangle is the drawing's box; the others are holes
      [...(p.getAttribute('d') || '').matchAll(RECT)].slice(1).forEach((r) => {
        const [x, y, w, h] = r.slice(1).map(Number);
        const a = new DOMPoint(x, y).matrixTransform(m);
        const b = new DOMPoint(x + w, y + h).matrixTransform(m);
        holes.push({ l: Math.min(a.x, b.x), t: Math.min(a.y, b.y), r: Math.max(a.x, b.x), b: Math.max(a.y, b.y) });
      });
    }
    const g = document.getElementById('graph').getBoundingClientRect();
    const inView = (e) => !(e.right < g.left || e.left > g.right || e.bottom < g.top || e.top > g.bottom);
    const boxOf = (id) => document.getElementById(id).getBoundingClientRect();
    const slack = 2;
    const holeOf = (e) => holes.find((h) => Math.abs(h.l - e.left) <= slack && Math.abs(h.t - e.top) <= slack &&
      Math.abs(h.r - e.right) <= slack && Math.abs(h.b - e.bottom) <= slack);
    const inHole = (e) => holes.some((h) => h.l <= e.left + 1 && h.t <= e.top + 1 && h.r >= e.right - 1 && h.b >= e.bottom - 1);
    let seen = 0;
    const uncut = [];
    for (const id of ${JSON.stringify(lit)}) {
      const e = boxOf(id);
      if (!inView(e) || e.width === 0) continue;
      seen++;
      if (!holeOf(e)) uncut.push(id + ' ' + JSON.stringify([e.left, e.top, e.right, e.bottom].map(Math.round)));
    }
    const cut = ${JSON.stringify(dim)}.filter((id) => { const e = boxOf(id); return inView(e) && inHole(e); });
    return { paths: paths.length, uncut, cut, seen };
  })()`);
}

/** Select `key` (a click on its element, wherever it is on screen) unless it is selected. */
async function select(page: Page, key: string): Promise<void> {
  if ((await dataset(page)).selected === key) return;
  const id = await idFor(page, key);
  await page.evaluate(
    `document.getElementById(${JSON.stringify(id)}).dispatchEvent(new MouseEvent('click', { bubbles: true }))`,
  );
  await waitData(page, 'selected', key);
}

/** The mean brightness (0-255) of the middle of element `id` on screen. */
async function brightness(page: Page, id: string): Promise<number> {
  const b = (await page.locator(`[id="${id}"]`).boundingBox())!;
  const inset = Math.min(6, b.width / 4, b.height / 4);
  const png = await page.screenshot({
    clip: {
      x: b.x + inset,
      y: b.y + inset,
      width: b.width - 2 * inset,
      height: b.height - 2 * inset,
    },
  });
  // the mean of the decoded pixels, in the page (a PNG decoder there for free)
  return page.evaluate(`(async () => {
    const img = await createImageBitmap(new Blob([new Uint8Array(${JSON.stringify([...png])})], { type: 'image/png' }));
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += (d[i] + d[i + 1] + d[i + 2]) / 3;
    return s / (d.length / 4);
  })()`);
}

test(
  'relations in the drawing: the kernel’s chains marked, the rest veiled, [ and ] walk them',
  { skip, timeout: 300_000 },
  async (t) => {
    const scene = new Scene();
    let viewer: Viewer | undefined;
    let veth = false;
    try {
      const nested = await scene.start(['unshare', '-Urpf', 'unshare', '-Urpfn', 'sleep', '1000']);
      const ns = {
        innerPid: `pid:${nsInode(nested.pid, 'pid')}`,
        innerUser: `user:${nsInode(nested.pid, 'user')}`,
        innerNet: `net:${nsInode(nested.pid, 'net')}`,
        hostNet: `net:${nsInode('self', 'net')}`,
      };
      // a veth pair from the host's network namespace to the inner one
      execFileSync('ip', [
        'link',
        'add',
        VETH,
        'type',
        'veth',
        'peer',
        'name',
        `${VETH}p`,
        'netns',
        String(nested.pid),
      ]);
      veth = true;
      const kernel = kernelNamespaces();
      for (const k of Object.values(ns)) assert.ok(kernel.has(k), `${k} is a process's`);

      viewer = await launchViewer(['-d'], {}, 120_000);
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      mkdirSync(shots, { recursive: true });
      assert.equal((await dataset(page)).state, 'ready');

      await t.test(
        "a selected PID namespace: the kernel's chain to the root and its owner marked, the rest veiled",
        async () => {
          const want = kernelRelations(kernel, ns.innerPid);
          assert.ok(want.ancestors.length >= 2, `nested: ${want.ancestors.join(' ')}`);
          assert.equal(want.owner, ns.innerUser);
          const id = await idFor(page, ns.innerPid);
          // an unrelated node near it, to see dimmed: a sibling of its chain's top is far; take the inner net
          const other = await idFor(page, ns.innerNet);
          await clickElement(page, id);
          await waitData(page, 'selected', ns.innerPid);
          await waitFocus(page, ns.innerPid);
          const related = [...want.ancestors, want.owner!, ...want.children];
          assert.deepEqual((await markedIds(page, 'sel')).map(keyOfId), [ns.innerPid]);
          assert.deepEqual(sorted((await markedIds(page, 'rel')).map(keyOfId)), sorted(related));
          assert.deepEqual(await markedIds(page, 'hover'), []);
          // the edges of the chain: each namespace to the one above it, and to its owner
          const chain = [ns.innerPid, ...want.ancestors];
          const edges = chain
            .slice(0, -1)
            .map((k, i) => `e__${svgIdOf(k)}__${svgIdOf(chain[i + 1]!)}`)
            .concat(`e__${svgIdOf(ns.innerPid)}__${svgIdOf(ns.innerUser)}`);
          assert.deepEqual(sorted(await markedIds(page, 'rel-edge')), sorted(edges));
          const ids = await Promise.all(related.map((k) => idFor(page, k)));
          for (const [kind, want2] of [
            ['sel', [id]],
            ['rel', ids],
            ['rel-edge', edges],
          ] as const) {
            const got = await checkMarks(page, kind, want2);
            assert.deepEqual(got.off, [], `${kind} outlines sit on their elements`);
          }
          // the veil: the selection and its relations cut out, the inner net (unrelated to a PID namespace) under it
          assert.deepEqual(
            sorted((await markedIds(page, 'veil')).map(keyOfId)),
            sorted([ns.innerPid, ...related]),
          );
          const holes = await veilHoles(page, [id, ...ids], [other]);
          assert.equal(holes.paths, 1, 'one path veils the drawing');
          assert.deepEqual(holes.uncut, [], 'every related box in view is cut out');
          assert.ok(holes.seen >= 1, 'the selection is in view');
          assert.deepEqual(holes.cut, [], 'the inner net namespace is veiled');
        },
      );

      await t.test('the veil dims what is not related, not what is', async () => {
        // up and back down: the selection centred at a readable zoom
        await select(page, ns.innerPid);
        await page.keyboard.press('[');
        await waitData(page, 'selected', kernelRelations(kernel, ns.innerPid).ancestors[0]);
        await page.keyboard.press(']');
        await waitData(page, 'selected', ns.innerPid);
        await waitFocus(page, ns.innerPid);
        assert.ok(Number((await dataset(page)).zoom) >= 0.999, 'at a readable zoom');
        await page.screenshot({ path: join(shots, 'viewer-relations-selected.png') });
        // a node in view that is not related: it lies under the veil
        const lit = await markedIds(page, 'veil');
        // a related node in view (the selection itself has the selection's tint)
        const rel: string = await page.evaluate(`(() => {
          const g = document.getElementById('graph').getBoundingClientRect();
          const ids = ${JSON.stringify(await markedIds(page, 'rel'))};
          return ids.find((id) => {
            const r = document.getElementById(id).getBoundingClientRect();
            return r.width > 20 && r.height > 12 && r.left > g.left && r.right < g.right && r.top > g.top && r.bottom < g.bottom;
          }) ?? '';
        })()`);
        assert.ok(rel, 'a related node in view');
        const other: string = await page.evaluate(`(() => {
          const g = document.getElementById('graph').getBoundingClientRect();
          const lit = new Set(${JSON.stringify(lit)});
          const el = [...document.querySelectorAll('#graph g.node.ns')].find((e) => {
            const r = e.getBoundingClientRect();
            return !lit.has(e.id) && r.width > 20 && r.height > 12 && r.left > g.left && r.right < g.right &&
              r.top > g.top && r.bottom < g.bottom;
          });
          return el ? el.id : '';
        })()`);
        assert.ok(other, 'an unrelated node in view');
        const veiled = { rel: await brightness(page, rel), other: await brightness(page, other) };
        // nothing selected, the pointer off the drawing's namespaces: no veil, the pixels as drawn
        const at = await emptyPoint(page);
        await page.mouse.move(at.x, at.y);
        await page.keyboard.press('Escape');
        await waitData(page, 'selected', undefined);
        await waitFocus(page, undefined);
        assert.equal(await page.locator('#marks .mark-veil path').count(), 0, 'no veil');
        const plain = { rel: await brightness(page, rel), other: await brightness(page, other) };
        assert.ok(
          veiled.other > plain.other + 20,
          `unrelated paler: ${plain.other.toFixed(0)} -> ${veiled.other.toFixed(0)}`,
        );
        assert.ok(
          Math.abs(veiled.rel - plain.rel) < 8,
          `related as drawn: ${plain.rel.toFixed(0)} -> ${veiled.rel.toFixed(0)}`,
        );
        await select(page, ns.innerPid);
        await waitFocus(page, ns.innerPid);
      });

      await t.test(
        "[ climbs the kernel's chain to the root user namespace, ] comes back; each centred",
        async () => {
          const want = kernelRelations(kernel, ns.innerPid);
          // up the PID chain, then from the root PID namespace to its owner
          const top = want.ancestors.at(-1)!;
          const hostUser = kernel.get(top)!.owner!;
          assert.equal(typeOf(hostUser), 'user');
          assert.equal(kernelRelations(kernel, hostUser).ancestors.length, 0, 'the root');
          const chain = [...want.ancestors, hostUser];
          await select(page, ns.innerPid);
          // the pointer rests over the drawing meanwhile: the steps move the drawing under it
          const mid = (await page.locator('#graph').boundingBox())!;
          await page.mouse.move(mid.x + mid.width / 2, mid.y + mid.height / 2);
          for (const k of chain) {
            await page.keyboard.press('[');
            await waitData(page, 'selected', k);
            await waitFocus(page, k);
            const off = await offCentre(page, await idFor(page, k));
            assert.ok(
              Math.abs(off.dx) < 3 && Math.abs(off.dy) < 3,
              `${k} centred: ${JSON.stringify(off)}`,
            );
          }
          await page.screenshot({ path: join(shots, 'viewer-relations-root.png') });
          // at the top: [ stays, and says so
          await page.keyboard.press('[');
          await page.waitForFunction(
            () =>
              /at the top/.test(
                (
                  globalThis as unknown as {
                    document: { getElementById(id: string): { textContent: string } };
                  }
                ).document.getElementById('status').textContent,
              ),
            null,
            { timeout: HANG_MS },
          );
          assert.equal((await dataset(page)).selected, hostUser);
          // a little later, the relations shown are still the selection's, not what came under the pointer
          await page.waitForTimeout(400);
          await waitFocus(page, hostUser);
          for (const k of [...chain.slice(0, -1)].reverse().concat(ns.innerPid)) {
            await page.keyboard.press(']');
            await waitData(page, 'selected', k);
            await waitFocus(page, k);
          }
        },
      );

      await t.test(
        'a pointer resting on a user namespace shows its chain and what it owns; leaving lifts it',
        async () => {
          const want = kernelRelations(kernel, ns.innerUser);
          assert.ok(want.owned.includes(ns.innerPid) && want.owned.includes(ns.innerNet));
          // its node centred (the details' owner link), then nothing selected
          await select(page, ns.innerPid);
          await page.locator(`#details button.ns-link[data-key="${ns.innerUser}"]`).first().click();
          await waitData(page, 'selected', ns.innerUser);
          await page.keyboard.press('Escape');
          await waitData(page, 'selected', undefined);
          await waitFocus(page, undefined);
          const id = await idFor(page, ns.innerUser);
          const b = (await page.locator(`[id="${id}"]`).boundingBox())!;
          await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 3 });
          await waitFocus(page, ns.innerUser);
          const related = [...want.ancestors, ...want.children, ...want.owned];
          assert.deepEqual(sorted((await markedIds(page, 'rel')).map(keyOfId)), sorted(related));
          assert.deepEqual(await markedIds(page, 'hover'), [id]);
          assert.deepEqual(await markedIds(page, 'sel'), []);
          const holes = await veilHoles(page, [id], []);
          assert.deepEqual(holes.uncut, []);
          await page.screenshot({ path: join(shots, 'viewer-relations-hover.png') });
          // ] from it: down to what it owns that has no parent (its user children first: the kernel says none)
          assert.deepEqual(want.children, []);
          const flat = want.owned
            .filter((k) => !['user', 'pid'].includes(typeOf(k)))
            .sort(
              (a, c) =>
                NS_TYPES.indexOf(typeOf(a) as never) - NS_TYPES.indexOf(typeOf(c) as never) ||
                Number(a.split(':')[1]) - Number(c.split(':')[1]),
            );
          await page.keyboard.press(']');
          await waitData(page, 'selected', flat[0]);
          // off every namespace: the hover goes, the selection's relations stay
          const empty = await emptyPoint(page);
          await page.mouse.move(empty.x, empty.y, { steps: 3 });
          await waitFocus(page, flat[0]);
          await page.keyboard.press('Escape');
          await waitData(page, 'selected', undefined);
          await waitFocus(page, undefined);
          for (const kind of ['sel', 'rel', 'rel-edge', 'hover', 'veil'])
            assert.deepEqual(await markedIds(page, kind), [], `no ${kind} marked`);
          assert.equal(await page.locator('#marks path').count(), 0, 'no outline, no veil');
        },
      );

      await t.test(
        "in the wiring: the veth's other namespace related, ] goes there along the wire, [ back",
        async () => {
          // the kernel's pair: the host's end names its peer's index in another namespace
          const host = JSON.parse(
            execFileSync('ip', ['-j', 'link', 'show', VETH], { encoding: 'utf8' }),
          )[0];
          const peer = JSON.parse(
            execFileSync(
              'nsenter',
              ['-t', String(nested.pid), '-n', 'ip', '-j', 'link', 'show', `${VETH}p`],
              {
                encoding: 'utf8',
              },
            ),
          )[0];
          assert.equal(host.link_index, peer.ifindex);
          assert.ok(host.link_netnsid !== undefined, 'the peer is in another namespace');
          await relaidOut(page, () => page.keyboard.press('n'));
          assert.equal((await dataset(page)).graph, 'wiring');
          const ifId = (key: string, i: number) => `if-${svgIdOf(key)}-${i}`;
          await clickElement(page, ifId(ns.innerNet, peer.ifindex));
          await waitData(page, 'selected', ns.innerNet);
          await waitFocus(page, ns.innerNet);
          assert.ok((await markedIds(page, 'rel')).includes(svgIdOf(ns.hostNet)));
          const [a, b] = [ifId(ns.innerNet, peer.ifindex), ifId(ns.hostNet, host.ifindex)];
          const edges = await markedIds(page, 'rel-edge');
          assert.ok(
            edges.includes(`e__${a}__${b}`) || edges.includes(`e__${b}__${a}`),
            edges.join(),
          );
          assert.ok((await markedIds(page, 'veil')).includes(svgIdOf(ns.hostNet)));
          await page.screenshot({ path: join(shots, 'viewer-relations-wiring.png') });
          await page.keyboard.press(']');
          await waitData(page, 'selected', ns.hostNet);
          await waitFocus(page, ns.hostNet);
          await page.keyboard.press('[');
          await waitData(page, 'selected', ns.innerNet);
          // its only wire leads back to the host: ] says so and stays
          await page.keyboard.press(']');
          await page.waitForFunction(
            () =>
              /no other wire/.test(
                (
                  globalThis as unknown as {
                    document: { getElementById(id: string): { textContent: string } };
                  }
                ).document.getElementById('status').textContent,
              ),
            null,
            { timeout: HANG_MS },
          );
          assert.equal((await dataset(page)).selected, ns.innerNet);
          await page.keyboard.press('Escape');
          await relaidOut(page, () => page.keyboard.press('n'));
        },
      );

      await t.test('dark: the veil in the dark background, the chain as drawn', async () => {
        await page.emulateMedia({ colorScheme: 'dark' });
        try {
          await clickElement(page, await idFor(page, ns.innerPid));
          await waitFocus(page, ns.innerPid);
          await page.screenshot({ path: join(shots, 'viewer-relations-dark.png') });
          const fill: string = await page.evaluate(
            `getComputedStyle(document.querySelector('#marks .mark-veil path')).fill`,
          );
          const bg: string = await page.evaluate(
            `getComputedStyle(document.getElementById('graph')).backgroundColor`,
          );
          assert.equal(fill, bg, 'the veil is the background’s colour');
          await page.keyboard.press('Escape');
        } finally {
          await page.emulateMedia({ colorScheme: null });
        }
        assert.deepEqual(errors, []);
      });
    } finally {
      await viewer?.close();
      if (veth) {
        try {
          execFileSync('ip', ['link', 'del', VETH]);
        } catch {
          /* gone with its namespace */
        }
      }
      await scene.teardown();
    }
  },
);
