/**
 * The overview in the window (issue 21), end to end: the browser shell in
 * headless Chromium on a snapshot of 40 002 namespaces (a star of 20 000
 * user namespaces under the root, each with a net namespace), drawn -d.
 * What the drawing says is checked against the snapshot's own fields
 * (parent, owner, label names), never against the page's own counts.
 *
 *  - the first picture is the overview: a few boxes, the groups' counts
 *    those of the snapshot, the status line and the legend say so;
 *  - a click on a group draws a page of its members, each a child of the
 *    root in the snapshot;
 *  - find reaches a namespace inside a group: Enter draws it and centres it;
 *  - `v` switches the overview off and on (on a smaller snapshot, which
 *    lays out in full).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SAMPLE } from '../../main/emit/overview';
import { serializeModel, type Model } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { launchViewer, ROOT, viewerSkip } from '../helpers/viewer';
import { dataset, offCentre, relaidOut, svgIdOf, waitData } from '../helpers/viewer-ui';
import { starModel } from '../unit/fixtures/dot-models';

const SHOTS = join(ROOT, 'test-results');

/** The drawn nodes' ids, by class. */
function nodeIds(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('#graph svg ${selector}')].map((g) => g.id)`);
}

/** The text of the group whose id starts with `prefix` and whose label says `kind`. */
async function groupText(page: Page, kind: string): Promise<{ id: string; text: string }> {
  const all: { id: string; text: string }[] = await page.evaluate(
    `[...document.querySelectorAll('#graph svg g.node.fan')].map((g) => ({ id: g.id, text: g.textContent }))`,
  );
  const hit = all.find((g) => g.text.includes(kind));
  assert.ok(hit, `a group of ${kind} among ${JSON.stringify(all)}`);
  return hit;
}

/** Click the middle of the element `id` (the overview is small: it is on screen). */
async function clickMiddle(page: Page, id: string): Promise<void> {
  const box = await page.locator(`[id="${id}"]`).boundingBox();
  assert.ok(box, `${id} has a box`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

test('a star of 20 000 user namespaces opens as the overview; groups open, find reaches inside', async (t) => {
  const skip = viewerSkip();
  if (skip) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'graphns-overview-'));
  mkdirSync(SHOTS, { recursive: true });
  const model: Model = starModel(20000, (i) => (i % 4 === 0 ? 'bwrap' : 'chromium'));
  const file = join(dir, 'star.json');
  writeFileSync(file, serializeModel(model));
  // the snapshot's own answers
  const root = model.namespaces[0]!;
  const children = model.namespaces.filter((n) => n.parent === root.key);
  const nameOf = (pid: number) => model.processes.find((p) => p.pid === pid)?.name;
  const chromium = children.filter((n) => nameOf(n.pids[0]!) === 'chromium');
  const viewer = await launchViewer(['--open', file, '-d']);
  try {
    const { page } = viewer;
    assert.equal((await dataset(page)).state, 'ready', viewer.stderr());
    const nodes = await nodeIds(page, 'g.node');
    assert.ok(nodes.length < 30, `${nodes.length} boxes drawn, not 40 002`);
    const group = await groupText(page, 'chromium');
    // the count is the snapshot's: how many of the root's children chromium holds, but the
    // first SAMPLE, drawn beside it
    const grouped = (chromium.length - SAMPLE).toLocaleString('en-US');
    assert.match(group.text, new RegExp(`${grouped} more user namespaces`));
    assert.match(group.text, new RegExp(`${grouped} more below`));
    for (const n of chromium.slice(0, SAMPLE)) {
      assert.equal((await nodeIds(page, `[id="${svgIdOf(n.key)}"]`)).length, 1, 'a sample');
    }
    const state = await page.locator('#f-state').textContent();
    const said = /overview: (\d+) of 40,002 drawn, ([\d,]+) in groups/.exec(state ?? '');
    assert.ok(said, state ?? '');
    assert.equal(Number(said[1]) + Number(said[2]!.replace(/,/g, '')), 40002, 'all accounted for');
    assert.match(
      (await page.locator('#graph svg').textContent()) ?? '',
      /Overview\s+of 40,002 namespaces/,
    );
    await page.screenshot({ path: join(SHOTS, 'overview-star.png') });

    // a click on the group: its first page drawn, each a child of the root in the snapshot
    await relaidOut(page, () => clickMiddle(page, group.id));
    const users = await nodeIds(page, 'g.node.ns.t-user');
    const want = new Set(chromium.slice(0, 100).map((n) => svgIdOf(n.key)));
    const drawnMembers = users.filter((id) => want.has(id));
    assert.equal(
      drawnMembers.length,
      100,
      `the first page of the group: ${users.length} users drawn`,
    );
    const rest = await groupText(page, 'chromium');
    assert.equal(rest.id, group.id, 'the group keeps its id');
    assert.match(
      rest.text,
      new RegExp(`${(chromium.length - 100).toLocaleString('en-US')} more user`),
    );
    assert.match(rest.text, /like the 100 drawn beside/);

    // find: the net namespace of the last chromium sandbox, deep inside the group
    const last = chromium.at(-1)!;
    const net = model.namespaces.find((n) => n.type === 'net' && n.owner === last.key)!;
    assert.equal((await nodeIds(page, `[id="${svgIdOf(net.key)}"]`)).length, 0);
    await page.keyboard.press('/');
    await page.keyboard.type(String(net.ino));
    await waitData(page, 'findQuery', String(net.ino));
    assert.match((await page.locator('#find-count').textContent()) ?? '', /inside groups/);
    await relaidOut(page, () => page.keyboard.press('Enter'));
    await waitData(page, 'findCurrent', net.key);
    const { dx, dy } = await offCentre(page, svgIdOf(net.key));
    assert.ok(Math.abs(dx) < 3 && Math.abs(dy) < 3, `centred: ${dx}, ${dy}`);
    // its chain is drawn: its owner, a child of the root
    assert.equal((await nodeIds(page, `[id="${svgIdOf(last.key)}"]`)).length, 1);
    await page.screenshot({ path: join(SHOTS, 'overview-found.png') });
    await page.keyboard.press('Escape');

    // the details reach into groups too: the root's children, a link to one still grouped
    await page.keyboard.press('/');
    await page.keyboard.type(String(root.ino));
    await waitData(page, 'findQuery', String(root.ino));
    await page.keyboard.press('Enter');
    await waitData(page, 'findCurrent', root.key);
    await page.locator('#find-details').click();
    const inGroup = chromium[5000]!;
    const link = page.locator(`#details button.ns-link[data-key="${inGroup.key}"]`);
    await page.locator('#details button.more').first().click();
    assert.match((await link.textContent()) ?? '', /not drawn \(in a group: a click draws it\)/);
    await relaidOut(page, () => link.click());
    const at = await offCentre(page, svgIdOf(inGroup.key));
    assert.ok(
      Math.abs(at.dx) < 3 && Math.abs(at.dy) < 3,
      `the link's namespace centred: ${at.dx}, ${at.dy}`,
    );
  } finally {
    await viewer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('v draws every namespace, and the overview again', async (t) => {
  const skip = viewerSkip();
  if (skip) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'graphns-overview-'));
  const model = syntheticModel(600);
  const file = join(dir, 'm.json');
  writeFileSync(file, serializeModel(model));
  const viewer = await launchViewer(['--open', file, '-d']);
  try {
    const { page } = viewer;
    const all = (await nodeIds(page, 'g.node.ns')).length;
    assert.equal((await nodeIds(page, 'g.node.fan')).length, 0, 'small: no overview');
    await relaidOut(page, () => page.keyboard.press('v'));
    const fans = await nodeIds(page, 'g.node.fan');
    assert.ok(fans.length > 0, 'v: the overview');
    assert.ok((await nodeIds(page, 'g.node.ns')).length < all);
    assert.match((await page.locator('#f-state').textContent()) ?? '', /overview: /);
    assert.match(
      (await page.locator('#graph svg').textContent()) ?? '',
      /Overview\s+of 600 namespaces \(asked for\)/,
    );
    await relaidOut(page, () => page.keyboard.press('v'));
    assert.equal((await nodeIds(page, 'g.node.fan')).length, 0, 'v again: every namespace');
    assert.equal((await nodeIds(page, 'g.node.ns')).length, all);
  } finally {
    await viewer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare in the overview: a namespace added inside a group, picked in the list, is drawn and centred', async (t) => {
  const skip = viewerSkip();
  if (skip) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'graphns-overview-'));
  const before: Model = starModel(20000, () => 'chromium');
  before.host.time = '2026-12-07T10:00:00.000Z';
  const after: Model = structuredClone(before);
  after.host.time = '2026-12-07T11:00:00.000Z';
  // one more sandbox of the same kind: it joins the group
  const root = after.namespaces[0]!;
  const added = { ...after.namespaces[2]!, key: 'user:4026599999' as const, ino: 4026599999 };
  added.pids = [99999];
  added.label = { pid: 99999, name: 'chromium' };
  after.processes.push({ pid: 99999, ppid: 1, name: 'chromium', start: 99999, ns: {} });
  after.namespaces.push({ ...added, parent: root.key, owner: root.key });
  const first = join(dir, 'before.json');
  const second = join(dir, 'after.json');
  writeFileSync(first, serializeModel(before));
  writeFileSync(second, serializeModel(after));
  const viewer = await launchViewer(['--open', first, '-d']);
  try {
    const { page } = viewer;
    const chosen = new Promise<void>((resolve) =>
      page.once('filechooser', (c) => void c.setFiles(second).then(resolve)),
    );
    await page.evaluate(() => 0);
    await page.keyboard.press('k');
    await chosen;
    await waitData(page, 'compared', true);
    await waitData(page, 'state', 'ready');
    // the newer file is drawn, as the overview: the new sandbox is in its group
    assert.equal((await nodeIds(page, `[id="${svgIdOf(added.key)}"]`)).length, 0);
    const item = page.locator(`#changes-list li[data-key="${added.key}"]`);
    assert.match((await item.textContent()) ?? '', /added/);
    await relaidOut(page, () => item.click());
    const { dx, dy } = await offCentre(page, svgIdOf(added.key));
    assert.ok(Math.abs(dx) < 3 && Math.abs(dy) < 3, `centred: ${dx}, ${dy}`);
    assert.equal((await dataset(page)).selected, added.key);
  } finally {
    await viewer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
