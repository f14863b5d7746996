/**
 * Labels fit their boxes. Graphviz (WASM, no fontconfig) sizes every node
 * from its own Helvetica and Courier metrics; the window draws the text
 * with whatever the desktop's fontconfig gives for those names. Without a
 * metric-compatible font (Debian: fonts-liberation2) Helvetica becomes
 * DejaVu Sans, about 10 % wider, and bold names run out of their boxes and
 * into their neighbours. This checks the drawn text against the drawn
 * shapes in the real window, on the live host with -d.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { needRoot, Scene } from '../helpers/scene';
import { launchViewer, viewerSkip, type Viewer } from '../helpers/viewer';

/** The font fontconfig substitutes for `family`, or '' without fc-match. */
function fontFor(family: string): string {
  try {
    return execFileSync('fc-match', ['-f', '%{family}', family], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

test(
  'every label lies inside its node in the real window',
  { skip: needRoot || viewerSkip(), timeout: 120_000 },
  async () => {
    const helvetica = fontFor('Helvetica');
    assert.match(
      helvetica,
      /Liberation Sans|Arimo|Nimbus Sans|Helvetica|Arial/,
      `Helvetica is drawn as ${helvetica || 'nothing'}: install fonts-liberation2 (README, Quick start)`,
    );
    let viewer: Viewer | undefined;
    const scene = new Scene();
    try {
      // a long name labels namespaces of its own: cut with an ellipsis, a glyph Graphviz
      // has no metrics for (seen: a sandboxed Chromium of another test, off by 1.7 px)
      await scene.start([
        'unshare',
        '--user',
        '--map-root-user',
        '--pid',
        '--net',
        '--fork',
        'bash',
        '-c',
        'exec -a "$0" sleep 1000',
        'chromium --type=zygote --headless --crashpad-handler-pid=0 --enable-crash-reporter',
      ]);
      viewer = await launchViewer(['-d']);
      // a large host (other tests' namespaces too) is drawn with its labels hidden
      // while zoomed out: zoom to 1x, as a user would to read them, and let them settle
      await viewer.page.keyboard.press('1');
      await viewer.page.waitForFunction(
        () => {
          // (runs in the page; a function: the page's CSP forbids evaluating a string)
          const doc = (
            globalThis as unknown as {
              document: {
                getElementById(id: string): { className: { baseVal?: string } | string };
              };
            }
          ).document;
          const c = String(doc.getElementById('graph').className);
          return !/\b(far|zooming)\b/.test(c);
        },
        null,
        { timeout: 60_000 },
      );
      // in the page: for each node, each text's box against the node's shape box
      // in the page, per node: each text inside the smallest shape (node or table cell)
      // around its centre, and no two texts of one line overlapping
      const overflows = (await viewer.page.evaluate(`(() => {
        const out = [];
        let texts = 0;
        // Graphviz's width estimate and the real font differ by a little on any glyph
        // it has no metrics for (an ellipsis, say): allow 2 px plus 2 % of the text
        const slack = (w) => 2 + 0.02 * w;
        const inside = (b, s) =>
          b.x >= s.x - slack(b.width) && b.x + b.width <= s.x + s.width + slack(b.width);
        // every node's labels laid out, not only those near the view (labels.ts)
        for (const node of document.querySelectorAll('#graph svg g.node')) node.classList.add('measure');
        for (const node of document.querySelectorAll('#graph svg g.node')) {
          const shapes = [...node.querySelectorAll('path, polygon, ellipse')].map((e) => e.getBBox());
          const boxes = [...node.querySelectorAll('text')].map((t) => [t.textContent, t.getBBox(), t]);
          for (const [text, b] of boxes) {
            texts++;
            const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
            const around = shapes
              .filter((s) => cx >= s.x && cx <= s.x + s.width && cy >= s.y && cy <= s.y + s.height)
              .sort((p, q) => p.width * p.height - q.width * q.height)[0];
            if (around && !inside(b, around)) {
              out.push(node.id + ': "' + text + '" ' + b.width.toFixed(1) + ' wide in ' + around.width.toFixed(1));
            }
          }
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const [ta, a, ea] = boxes[i], [tb, b, eb] = boxes[j];
              const vertical = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
              const horizontal = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
              // a space where two runs meet is blank: its box may reach under the next glyph
              const [lt, le, rt, re] = a.x <= b.x ? [ta, ea, tb, eb] : [tb, eb, ta, ea];
              const blank =
                (lt.endsWith(' ') ? le.getSubStringLength(lt.length - 1, 1) : 0) +
                (rt.startsWith(' ') ? re.getSubStringLength(0, 1) : 0);
              if (
                vertical > 0.5 * Math.min(a.height, b.height) &&
                horizontal > slack(Math.min(a.width, b.width)) + blank
              ) {
                out.push(node.id + ': "' + ta + '" and "' + tb + '" overlap by ' + horizontal.toFixed(1));
              }
            }
          }
        }
        return { texts, out };
      })()`)) as { texts: number; out: string[] };
      assert.ok(overflows.texts > 10, `labels measured: ${overflows.texts}`);
      assert.deepEqual(overflows.out, [], 'labels wider than their boxes');
    } finally {
      await viewer?.close();
      await scene.teardown();
    }
  },
);
