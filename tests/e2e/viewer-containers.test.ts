/**
 * The containers panel end to end (the browser shell in headless Chromium):
 * a snapshot of the engines fixture (Docker with compose, podman with a
 * pod and its sandbox, containerd, LXC, nspawn, bubblewrap), one container
 * given a hostile name. `a` opens the panel on the left, below the filter
 * bar, and the drawing narrows; it lists every container of the model with
 * its engine, pod and namespaces, which the test works out from the model
 * itself (processes, their namespaces), not from the page's code. A click
 * on a container selects its PID namespace as a click in the drawing would
 * (the details open on it), a click on a chip that namespace; Escape
 * closes the details first, then the panel (the registry's order).
 * Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serializeModel } from '../../main/model';
import type { Container, Model } from '../../main/model/types';
import { enginesModel } from '../unit/fixtures/dot-models';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import { dataset, markedIds, svgIdOf, waitData } from '../helpers/viewer-ui';

/** A container name with a bidi override and a bell, and how the page must show it. */
const HOSTILE = 'web\u202eside\x07';
const HOSTILE_SHOWN = 'web\\u{202e}side\\x07';

/** The namespaces a container's processes are in, from the model's namespaces (keys, sorted). */
function namespacesOf(model: Model, c: Container): string[] {
  const pids = new Set(model.processes.filter((p) => p.container === c.key).map((p) => p.pid));
  return model.namespaces
    .filter((ns) => ns.pids.some((pid) => pids.has(pid)) || ns.tasks.some((t) => pids.has(t.pid)))
    .map((ns) => ns.key)
    .sort();
}

/** The panel's entries: container key, line text, chips' keys (sorted), and the key its line selects. */
function entries(
  page: Page,
): Promise<{ container: string; line: string; chips: string[]; picks: string | null }[]> {
  return page.evaluate(`[...document.querySelectorAll('#containers li[data-container]')].map((li) => ({
    container: li.dataset.container,
    line: li.querySelector('.container-link').textContent,
    chips: [...li.querySelectorAll('button.chip')].map((b) => b.dataset.key).sort(),
    picks: li.querySelector('.container-link').getAttribute('data-key'),
  }))`);
}

/** Where an element is on the page. */
async function box(page: Page, selector: string) {
  const b = await page.locator(selector).boundingBox();
  assert.ok(b, `${selector} has a box`);
  return b;
}

test(
  'the containers panel: every container with engine, pod and namespaces; a click selects',
  { skip: viewerSkip(), timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'graphns-containers-'));
    const model = enginesModel();
    const hostile = model.containers.find((c) => c.name === 'web-side')!;
    hostile.name = HOSTILE;
    const snap = join(dir, 'engines.json');
    writeFileSync(snap, serializeModel(model));
    let viewer: Viewer | undefined;
    try {
      viewer = await launchViewer(['--open', snap, '-d']);
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      assert.equal((await dataset(page)).state, 'ready');
      const whole = await box(page, '#graph');

      await t.test('the help lists its key, and Escape closing it', async () => {
        const rows: [string, string][] = await page.evaluate(
          `[...document.querySelectorAll('#help-keys tr')].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])`,
        );
        // the first row of a key: the find box's own Esc comes later
        const help = (key: string) => rows.find(([k]) => k === key)?.[1];
        assert.match(help('a') ?? '', /^containers: every container/);
        assert.equal(
          help('Esc'),
          'close this help, else the find box, else the details, else the containers panel',
        );
      });

      await t.test('a opens it on the left, below the bar; the drawing narrows', async () => {
        await page.keyboard.press('a');
        await waitData(page, 'containers', String(model.containers.length));
        assert.equal(await page.locator('#containers').isVisible(), true);
        const panel = await box(page, '#containers');
        const graph = await box(page, '#graph');
        const bar = await box(page, '#filters');
        assert.ok(panel.x < 1, `at the left edge: ${panel.x}`);
        assert.ok(
          Math.abs(graph.x - (panel.x + panel.width)) < 2,
          'the drawing starts where it ends',
        );
        assert.ok(graph.width < whole.width - 100, `the drawing narrowed: ${graph.width}`);
        assert.ok(Math.abs(panel.y - (bar.y + bar.height)) < 1, 'below the bar');
        const marks = await box(page, '#marks');
        assert.ok(Math.abs(marks.x - graph.x) < 1, 'the overlay moved with the drawing');
        assert.match(
          (await page.locator('#containers-title').textContent()) ?? '',
          /containers \(\d+\)/,
        );
      });

      await t.test('every container, with its engine, pod and namespaces', async () => {
        const shown = await entries(page);
        assert.deepEqual(
          shown.map((e) => e.container).sort(),
          model.containers.map((c) => c.key).sort(),
        );
        for (const c of model.containers) {
          const e = shown.find((x) => x.container === c.key)!;
          const name = c === hostile ? HOSTILE_SHOWN : (c.name ?? c.id);
          assert.ok(
            e.line.includes(`${c.sandbox ? 'sandbox' : 'container'} ${name} (${c.engine}`),
            e.line,
          );
          if (c.pod) assert.ok(e.line.includes(`pod ${c.pod.name}`), e.line);
          if (c.compose) assert.ok(e.line.includes(`compose ${c.compose.project}`), e.line);
          const nss = namespacesOf(model, c);
          assert.ok(nss.length > 0, `${c.key} is in namespaces`);
          assert.deepEqual(e.chips, nss, `${c.key}'s namespaces`);
          const pid = nss.find((k) => k.startsWith('pid:'));
          assert.equal(e.picks, pid ?? nss[0], `${c.key} stands for its PID namespace`);
        }
        // the hostile name is text: no control character, no bidi override reached the page
        const text = (await page.locator('#containers').textContent()) ?? '';
        assert.doesNotMatch(text, /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
        assert.ok(text.includes(HOSTILE_SHOWN));
      });

      await t.test(
        'a click on a container selects its PID namespace, as in the drawing',
        async () => {
          const c = model.containers.find((x) => x.name === 'web')!;
          const pid = namespacesOf(model, c).find((k) => k.startsWith('pid:'))!;
          const entry = page.locator(`#containers li[data-container="${c.key}"]`);
          await entry.locator('.container-link').click();
          await waitData(page, 'details', pid);
          assert.equal((await dataset(page)).selected, pid);
          assert.deepEqual(await markedIds(page, 'sel'), [svgIdOf(pid)]);
          assert.equal(await entry.getAttribute('aria-current'), 'true');
          // the details open on the right: the drawing between the two panels
          const graph = await box(page, '#graph');
          const details = await box(page, '#details');
          const panel = await box(page, '#containers');
          assert.ok(Math.abs(graph.x - (panel.x + panel.width)) < 2);
          assert.ok(Math.abs(graph.x + graph.width - details.x) < 2);
          await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-containers.png') });
          // a chip: that namespace
          const net = namespacesOf(model, c).find((k) => k.startsWith('net:'))!;
          await entry.locator(`button.chip[data-key="${net}"]`).click();
          await waitData(page, 'details', net);
          assert.equal(
            await entry.getAttribute('aria-current'),
            'true',
            'web is in that net namespace',
          );
        },
      );

      await t.test('Escape closes the details first, then the panel; a toggles it', async () => {
        await page.locator('#graph').hover();
        await page.keyboard.press('Escape');
        await waitData(page, 'details', undefined);
        assert.equal(
          (await dataset(page)).containers,
          String(model.containers.length),
          'still open',
        );
        await page.keyboard.press('Escape');
        await waitData(page, 'containers', undefined);
        assert.equal(await page.locator('#containers').isHidden(), true);
        const graph = await box(page, '#graph');
        assert.ok(Math.abs(graph.width - whole.width) < 2, 'the drawing has its room back');
        await page.keyboard.press('a');
        await waitData(page, 'containers', String(model.containers.length));
        await page.keyboard.press('a');
        await waitData(page, 'containers', undefined);
        assert.deepEqual(errors, []);
      });
    } finally {
      await viewer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
