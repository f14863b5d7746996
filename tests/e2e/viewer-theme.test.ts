/**
 * Light and dark: the viewer follows the desktop's colour scheme
 * (prefers-color-scheme, emulated here through Playwright), and both are
 * legible. Measured, not eyeballed: for every text of the drawing (every
 * namespace type's nodes and group tables, each way a namespace can be
 * found, the clusters, the legend) the WCAG contrast between its computed
 * colour and the computed fill of the shape painted behind it, and the
 * same for the page's own panels. A real scene built with unshare holds a
 * namespace of every type, one held by a bind mount only, one by an open
 * fd only, and hidden user namespaces (no process left in them); the viewer
 * shows a real scan of it, made in a PID namespace of its own
 * (tests/helpers/world.ts) so that nothing else running on the machine
 * changes the graph.
 * Screenshots of both schemes land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import { echoed, linkInode, scanWorld } from '../helpers/world';

// page.evaluate() callbacks run in the browser: the few DOM types they use
interface DomEl {
  localName: string;
  id: string;
  textContent: string | null;
  value?: string;
  hidden?: boolean;
  parentElement: DomEl | null;
  childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
  getAttribute(name: string): string | null;
  closest(selector: string): DomEl | null;
  getClientRects(): { length: number };
}
interface DomShape extends DomEl {
  isPointInFill(p: unknown): boolean;
  getBBox(): { x: number; y: number; width: number; height: number };
}
declare const document: {
  documentElement: { dataset: Record<string, string | undefined> };
  body: { append(el: unknown): void };
  createElement(tag: string): DomEl & { style: { color: string }; remove(): void };
  querySelectorAll(selector: string): ArrayLike<DomEl>;
  getElementById(id: string): DomEl | null;
};
declare function getComputedStyle(el: unknown): {
  fill: string;
  stroke: string;
  color: string;
  backgroundColor: string;
  display: string;
  visibility: string;
};
declare const DOMPoint: new (x: number, y: number) => unknown;
declare function requestAnimationFrame(f: () => void): void;

type Rgb = [number, number, number];

/** `rgb(r, g, b)` or `rgba(r, g, b, 1)` as numbers; undefined for none or translucent. */
function parseRgb(css: string): Rgb | undefined {
  const m = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(css);
  if (!m || (m[4] !== undefined && Number(m[4]) !== 1)) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG 2 relative luminance. */
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** One text of the drawing: its colour, what is painted behind it, where it is. */
interface Measured {
  text: string;
  fg: string;
  bg: string;
  /** The node (`t-user o-process`, `group t-net`), `cluster`, or `legend`. */
  where: string;
  id: string;
}

/**
 * Every visible text of the drawing with the computed fill of the topmost
 * filled shape painted before it that covers its centre (Graphviz's SVG
 * has no transforms below the root group, so all share one user space).
 */
function measureDrawing(): Measured[] {
  const all = Array.from(document.querySelectorAll('#graph svg *'));
  const shapes: DomShape[] = [];
  const out: Measured[] = [];
  for (const el of all) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (['path', 'polygon', 'ellipse', 'rect', 'polyline'].includes(el.localName)) {
      if (style.fill !== 'none') shapes.push(el as DomShape);
      continue;
    }
    if (el.localName !== 'text' || !el.textContent?.trim()) continue;
    const box = (el as DomShape).getBBox();
    const centre = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2);
    let bg = 'none';
    for (let i = shapes.length - 1; i >= 0; i--) {
      if (shapes[i]!.isPointInFill(centre)) {
        bg = getComputedStyle(shapes[i]).fill;
        break;
      }
    }
    const node = el.closest('g.node');
    const cluster = el.closest('g.cluster');
    out.push({
      text: el.textContent,
      fg: style.fill,
      bg,
      where: node
        ? (node.getAttribute('class') ?? '').replace(/^node /, '')
        : cluster
          ? 'cluster'
          : 'legend',
      id: node?.id ?? '',
    });
  }
  return out;
}

/** A text of the page's own parts (bars, panels, notices): its colour and the background behind it. */
interface ChromeText {
  what: string;
  text: string;
  fg: string;
  bg: string;
}

/**
 * Every element outside the drawing that shows text now (a text node of
 * its own, or a field's value), with its colour and the first opaque
 * background up its ancestors.
 */
function measureChrome(): ChromeText[] {
  const out: ChromeText[] = [];
  for (const el of Array.from(document.querySelectorAll('body *'))) {
    if (el.closest('#graph') || el.getClientRects().length === 0) continue;
    // a field's value is text, a check box's ('on') is not
    const field =
      ['input', 'select', 'button', 'output'].includes(el.localName) &&
      !['checkbox', 'radio'].includes(el.getAttribute('type') ?? '');
    const own = Array.from(el.childNodes)
      .filter((n) => n.nodeType === 3)
      .map((n) => n.textContent ?? '')
      .join('')
      .trim();
    const text = own || (field ? (el.value ?? el.textContent ?? '').trim() : '');
    if (!text) continue;
    let bg = '';
    for (let e: DomEl | null = el; e && !bg; e = e.parentElement) {
      const b = getComputedStyle(e).backgroundColor;
      if (b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') bg = b;
    }
    const what = `${el.localName}${el.id ? `#${el.id}` : ''} in #${el.closest('[id]')?.id ?? 'body'}`;
    out.push({ what, text: text.slice(0, 40), fg: getComputedStyle(el).color, bg });
  }
  return out;
}

/** Every fill/stroke attribute of the drawing with its computed value. */
function paintAttributes(): { attr: string; value: string; computed: string; tag: string }[] {
  const out: { attr: string; value: string; computed: string; tag: string }[] = [];
  // the attribute's colour as the browser computes it, for comparison
  // (no inner functions: the test's TypeScript transform would name them)
  const probe = document.createElement('span');
  document.body.append(probe);
  for (const el of Array.from(
    document.querySelectorAll('#graph svg [fill], #graph svg [stroke]'),
  )) {
    const s = getComputedStyle(el);
    for (const attr of ['fill', 'stroke'] as const) {
      const v = el.getAttribute(attr);
      if (v === null || v === 'none' || v === 'transparent') continue;
      probe.style.color = v;
      out.push({
        attr,
        value: getComputedStyle(probe).color,
        computed: s[attr],
        tag: el.localName,
      });
    }
  }
  probe.remove();
  return out;
}

/** The drawing's texts under 4.5:1, in words (none is the goal). */
function lowDrawing(texts: Measured[]): string[] {
  const low: string[] = [];
  for (const m of texts) {
    const fg = parseRgb(m.fg);
    const bg = parseRgb(m.bg);
    const r = fg && bg ? contrast(fg, bg) : 0;
    if (r < 4.5) low.push(`"${m.text}" in ${m.where}: ${m.fg} on ${m.bg} = ${r.toFixed(2)}`);
  }
  return low;
}

/** The page's texts under 4.5:1, in words, noting in `seen` what was measured. */
function lowChrome(texts: ChromeText[], state: string, seen = new Set<string>()): string[] {
  const low: string[] = [];
  for (const m of texts) {
    const fg = parseRgb(m.fg);
    const bg = parseRgb(m.bg);
    seen.add(m.what);
    if (!fg || !bg || contrast(fg, bg) < 4.5) {
      low.push(`${state}: "${m.text}" (${m.what}): ${m.fg} on ${m.bg}`);
    }
  }
  return low;
}

const afterPaint = () =>
  new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

const skip = needRoot || viewerSkip();

test(
  'light and dark follow the desktop and every text is legible in both',
  { skip, timeout: 120_000 },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'graphns-theme-home-'));
    const snapshot = join(home, 'world.json');
    const mountPoint = join(tmpdir(), `gns-theme-${randomBytes(3).toString('hex')}`);
    let viewer: Viewer | undefined;
    try {
      // every namespace type in a user namespace of its own; a net namespace
      // held by a bind mount only, one by an fd only, the user namespaces they
      // were made in left without a process (hidden); net namespaces enough for
      // a group table. Scanned in a PID
      // namespace of its own, so the graph is this scene whatever else runs.
      const links = echoed(
        scanWorld(
          String.raw`
unshare -U -r -p -n -m -u -i -C -T --fork sleep 1000 & A=$(find_sleep $!)
for t in user pid net mnt uts ipc cgroup time; do echo "$t $(readlink /proc/$A/ns/$t)"; done
unshare -Urn sleep 1001 & B=$(find_sleep $!)
unshare -Urn sleep 1002 & C=$(find_sleep $!)
touch ${mountPoint}; mount --bind /proc/$B/ns/net ${mountPoint}
/usr/bin/python3 -c "import os
fd = os.open('/proc/$C/ns/net', os.O_RDONLY)
os.set_inheritable(fd, True)
os.execvp('sleep', ['sleep', '1003'])" & D=$(find_sleep $!)
echo "bindmount $(readlink /proc/$B/ns/net)"; echo "fd $(readlink /proc/$C/ns/net)"
kill -9 $B $C; wait $B $C || true
# two more net namespaces of the first user namespace: with the scan's own, a group table
unshare -n sleep 1004 & find_sleep $! > /dev/null
unshare -n sleep 1005 & find_sleep $! > /dev/null
`,
          snapshot,
        ),
      );
      viewer = await launchViewer(['--open', snapshot, '-d'], {
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
      });
      const { page } = viewer;
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      const TYPES = ['user', 'pid', 'net', 'mnt', 'uts', 'ipc', 'cgroup', 'time'];
      const ids = {
        types: TYPES.map((type) => `${type}-${linkInode(links.get(type))}`),
        bindmount: `net-${linkInode(links.get('bindmount'))}`,
        fd: `net-${linkInode(links.get('fd'))}`,
      };

      for (const scheme of ['light', 'dark'] as const) {
        await t.test(`${scheme}: every text of the drawing is legible (>= 4.5:1)`, async () => {
          await page.emulateMedia({ colorScheme: scheme });
          await page.evaluate(afterPaint);
          const texts = await page.evaluate(measureDrawing);
          const low = lowDrawing(texts);
          assert.deepEqual(low, [], 'texts below 4.5:1');
          // what was measured covers every type, each way of being found, the legend
          const where = new Set(texts.map((m) => m.where));
          for (const type of TYPES) {
            assert.ok(
              [...where].some((w) => w.split(' ').includes(`t-${type}`)),
              `a ${type} node measured: ${[...where].join(', ')}`,
            );
            assert.ok(
              texts.some((m) => m.where === 'legend' && m.text === type),
              `the legend's ${type} cell measured`,
            );
          }
          for (const origin of ['process', 'hidden', 'bindmount', 'fd']) {
            assert.ok(
              [...where].some((w) => w.split(' ').includes(`o-${origin}`)),
              `a node found by ${origin} measured`,
            );
          }
          assert.ok(where.has('cluster'), 'cluster labels measured');
          assert.ok(
            [...where].some((w) => w.startsWith('group ')),
            'a group table measured',
          );
          const measuredIds = new Set(texts.map((m) => m.id));
          for (const id of [...ids.types, ids.bindmount, ids.fd]) {
            assert.ok(measuredIds.has(id), `the scene's ${id} is drawn and measured`);
          }
          await page.screenshot({ path: join(ROOT, 'test-results', `viewer-theme-${scheme}.png`) });
        });

        await t.test(`${scheme}: the bars, panels and help are legible`, async () => {
          const seen = new Set<string>();
          const check = async (state: string) =>
            assert.deepEqual(
              lowChrome(await page.evaluate(measureChrome), state, seen),
              [],
              'texts below 4.5:1',
            );
          await check('the window');
          await page.keyboard.press('h');
          await check('help');
          await page.screenshot({
            path: join(ROOT, 'test-results', `viewer-theme-${scheme}-help.png`),
          });
          await page.keyboard.press('Escape');
          await page.keyboard.press('/');
          await page.keyboard.type('sleep');
          await page.waitForFunction(() =>
            /\d/.test(document.getElementById('find-count')!.textContent ?? ''),
          );
          await check('find');
          await page.keyboard.press('Escape');
          await page.click(`#${ids.types[0]}`);
          await page.waitForFunction(() => !document.getElementById('details')!.hidden);
          await check('details');
          await page.screenshot({
            path: join(ROOT, 'test-results', `viewer-theme-${scheme}-panels.png`),
          });
          await page.keyboard.press('Escape');
          for (const id of [
            'status',
            'f-state',
            'find-input',
            'find-count',
            'details-title',
            'help',
          ]) {
            assert.ok(
              [...seen].some((w) => w.includes(`#${id}`)),
              `#${id} measured: ${[...seen].join(' ')}`,
            );
          }
        });
      }

      await t.test('light draws the SVG as laid out; dark maps every colour of it', async () => {
        await page.emulateMedia({ colorScheme: 'light' });
        await page.evaluate(afterPaint);
        const light = await page.evaluate(paintAttributes);
        assert.ok(light.length > 50, `colours found: ${light.length}`);
        const changed = light.filter((p) => p.computed !== p.value);
        assert.deepEqual(changed, [], 'light shows the SVG colours unchanged');
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.evaluate(afterPaint);
        const dark = await page.evaluate(paintAttributes);
        // a colour dot.ts adds without a dark counterpart would stay light here
        const unmapped = [
          ...new Set(dark.filter((p) => p.computed === p.value).map((p) => `${p.attr} ${p.value}`)),
        ];
        assert.deepEqual(unmapped, [], 'colours with no dark counterpart');
        const bg = parseRgb(
          await page.evaluate(
            () => getComputedStyle(document.getElementById('graph')).backgroundColor,
          ),
        );
        assert.ok(bg && luminance(bg) < 0.05, `a dark background: ${String(bg)}`);
      });

      await t.test('a saved SVG is the light drawing whatever the theme', async () => {
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.keyboard.press('s');
        await page.waitForFunction(() =>
          /saved to |not saved/.test(document.getElementById('status')!.textContent ?? ''),
        );
        const status = await page.evaluate(
          () => document.getElementById('status')!.textContent ?? '',
        );
        const path = /saved to (\S+\.svg)/.exec(status)?.[1];
        assert.ok(path, status);
        const svg = readFileSync(path, 'utf8');
        assert.match(svg, /fill="#dbe8fa"/, 'the light user fill');
        assert.doesNotMatch(svg, /#1e3250/i, 'no dark fill');
        assert.doesNotMatch(svg, /<style[\s>]|\sstyle=/, 'no theme styles in the file');
      });
      await t.test(
        'after a refresh: new namespaces marked, the vanished notice, both legible',
        async () => {
          // the snapshot again, of another scene: its namespaces are new, the first's vanished
          scanWorld('unshare -Urn sleep 1006 & find_sleep $! > /dev/null', snapshot);
          await page.keyboard.press('r');
          await page.waitForFunction(
            () =>
              !document.getElementById('changes')!.hidden &&
              document.documentElement.dataset.state === 'ready',
          );
          for (const scheme of ['light', 'dark'] as const) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.evaluate(afterPaint);
            const seen = new Set<string>();
            const low = [
              ...lowChrome(await page.evaluate(measureChrome), 'refreshed', seen),
              ...lowDrawing(await page.evaluate(measureDrawing)),
            ];
            assert.deepEqual(low, [], `${scheme}: texts below 4.5:1`);
            assert.ok(
              [...seen].some((w) => w.includes('#changes')),
              `the notice measured: ${[...seen].join(' ')}`,
            );
            await page.screenshot({
              path: join(ROOT, 'test-results', `viewer-theme-${scheme}-refreshed.png`),
            });
          }
        },
      );
    } finally {
      await viewer?.close();
      rmSync(mountPoint, { force: true }); // the mount itself went with the scene's namespace
      rmSync(home, { recursive: true, force: true });
    }
  },
);
