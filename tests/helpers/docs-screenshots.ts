/**
 * The README's viewer screenshots (docs/viewer-*.png), taken again from
 * the same scene every time (`npm run docs:screenshots`): the engines
 * fixture of the DOT tests (Docker with compose, podman with a pod,
 * containerd, LXC, nspawn, bubblewrap), all namespace types drawn, in the
 * browser shell at 1400x850; its network wiring (the same host with its
 * bridges and veths) in the wiring view; the same host after a deploy
 * compared with it (k); and the overview of each large host's shape at
 * 50 000 namespaces (tests/bench/synthetic.ts), the containers' with a
 * group opened. Run it after a change to the page's look, and
 * look at the pictures before committing them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel } from '../../main/model';
import { shapeModel, SHAPES } from '../bench/synthetic';
import { deployedModel, enginesModel, wiredModel } from '../unit/fixtures/dot-models';
import { HEADLESS_ARGS, launchViewer, ROOT } from './viewer';
import { clickElement, relaidOut, svgIdOf, waitData } from './viewer-ui';

const dir = mkdtempSync(join(tmpdir(), 'graphns-shots-'));
const docs = join(ROOT, 'docs');
try {
  const snapshot = join(dir, 'engines.json');
  const model = enginesModel();
  // who is root where: the sandbox's user namespace maps its root to uid 1000, as bwrap
  // does for a user; the host's processes hold all capabilities, the sandbox's all of its own
  const sandbox = model.processes.find(
    (p) => model.containers.find((c) => c.key === p.container)?.engine === 'bubblewrap',
  );
  const sandboxUser = model.namespaces.find((n) => n.key === sandbox?.ns.user);
  if (!sandbox || !sandboxUser) throw new Error('the engines fixture lost its bubblewrap sandbox');
  sandboxUser.uidMap = [{ inside: 0, outside: 1000, count: 1 }];
  sandboxUser.gidMap = [{ inside: 0, outside: 1000, count: 1 }];
  for (const p of model.processes) p.capEff = '000001ffffffffff';
  model.host.capLastCap = 40;
  writeFileSync(snapshot, serializeModel(model));
  const viewer = await launchViewer(['--open', snapshot, '-d'], {
    GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS.replace(/--window-size=\S+/, '--window-size=1400,850'),
  });
  try {
    const { page } = viewer;
    await page.setViewportSize({ width: 1400, height: 850 });
    await page.waitForTimeout(800);

    // find: a compose project and pod name
    await page.keyboard.press('/');
    await waitData(page, 'find', 'open');
    await page.locator('#find-input').pressSequentially('shop');
    await waitData(page, 'findQuery', 'shop');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(docs, 'viewer-find.png') });
    await page.keyboard.press('Escape');
    await waitData(page, 'find', undefined);

    // details: the PID namespace of the container "web-side"
    const web = model.namespaces.find(
      (ns) =>
        ns.type === 'pid' &&
        ns.pids.some((pid) => {
          const c = model.processes.find((p) => p.pid === pid)?.container;
          return model.containers.find((k) => k.key === c)?.name === 'web-side';
        }),
    );
    if (!web) throw new Error('the engines fixture lost its web-side container');
    await clickElement(page, svgIdOf(web.key));
    await waitData(page, 'details', web.key);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(docs, 'viewer-details.png') });

    // who is root where: the sandbox's user namespace, its maps, its process's capabilities
    await clickElement(page, svgIdOf(sandboxUser.key));
    await waitData(page, 'details', sandboxUser.key);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(docs, 'viewer-userns.png') });

    // at 1x the graph is larger than the window: the minimap shows where the view is
    await page.keyboard.press('Escape');
    await waitData(page, 'details', undefined);
    await page.keyboard.press('1');
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(docs, 'viewer-minimap.png') });
    console.log(
      `wrote ${['find', 'details', 'userns', 'minimap'].map((n) => join(docs, `viewer-${n}.png`)).join(', ')}`,
    );
  } finally {
    await viewer.close();
  }

  // the wiring view (graphns --net): the compose project's network namespace selected
  const wired = wiredModel();
  const wiredSnapshot = join(dir, 'wired.json');
  writeFileSync(wiredSnapshot, serializeModel(wired));
  const net = await launchViewer(['--open', wiredSnapshot, '--net'], {
    GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS.replace(/--window-size=\S+/, '--window-size=1400,850'),
  });
  try {
    const { page } = net;
    await page.setViewportSize({ width: 1400, height: 850 });
    await page.waitForTimeout(800);
    const web = wired.namespaces.find(
      (n) =>
        n.type === 'net' &&
        n.interfaces?.some((i) => i.addresses.some((a) => a.address === '172.20.0.2')),
    );
    if (!web) throw new Error("the wired fixture lost web's network namespace");
    await clickElement(page, `if-${svgIdOf(web.key)}-2`);
    await waitData(page, 'details', web.key);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(docs, 'viewer-wiring.png') });
    console.log(`wrote ${join(docs, 'viewer-wiring.png')}`);
  } finally {
    await net.close();
  }

  // compare: the host after a deploy, compared with the snapshot taken before it
  const before = join(dir, 'before.json');
  const after = join(dir, 'after.json');
  const earlier = structuredClone(model);
  earlier.host.time = '2026-01-01T10:00:00.000Z'; // an hour before the deploy's snapshot
  writeFileSync(before, serializeModel(earlier));
  writeFileSync(after, serializeModel(deployedModel(earlier)));
  const cmp = await launchViewer(['--open', after, '-d'], {
    GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS.replace(/--window-size=\S+/, '--window-size=1400,850'),
  });
  try {
    const { page } = cmp;
    await page.setViewportSize({ width: 1400, height: 850 });
    // Playwright takes the chooser over only once something listens for it
    const chosen = new Promise<void>((resolve) =>
      page.once('filechooser', (c) => void c.setFiles(before).then(resolve)),
    );
    await page.evaluate(() => 0);
    await page.keyboard.press('k');
    await chosen;
    await waitData(page, 'compared', true);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(docs, 'viewer-compare.png') });
    console.log(`wrote ${join(docs, 'viewer-compare.png')}`);
  } finally {
    await cmp.close();
  }

  // the overview: each shape of a large host at 50 000 namespaces
  for (const shape of SHAPES) {
    const file = join(dir, `${shape}.json`);
    writeFileSync(file, serializeModel(shapeModel(shape, 50000)));
    const big = await launchViewer(['--open', file, '-d'], {
      GRAPHNS_BROWSER_ARGS: HEADLESS_ARGS.replace(/--window-size=\S+/, '--window-size=1400,850'),
    });
    try {
      const { page } = big;
      await page.setViewportSize({ width: 1400, height: 850 });
      // at 1x, centred: the groups and samples readable (fitted, a wide overview is a strip)
      await page.keyboard.press('1');
      await page.waitForTimeout(500);
      const png = join(docs, `viewer-overview-${shape}.png`);
      await page.screenshot({ path: png });
      console.log(`wrote ${png}`);
      if (shape !== 'containers') continue;
      // a group opened: its first page of members, each with what it owns (fitted: on screen)
      await page.keyboard.press('w');
      await page.waitForTimeout(500);
      await relaidOut(page, () => page.locator('#graph svg g.node.fan').first().click());
      await page.keyboard.press('1');
      await page.waitForTimeout(500);
      const opened = join(docs, 'viewer-overview-opened.png');
      await page.screenshot({ path: opened });
      console.log(`wrote ${opened}`);
    } finally {
      await big.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
