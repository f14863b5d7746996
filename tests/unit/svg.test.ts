/**
 * The SVG Graphviz makes of our DOT, read with a real XML parser: it is
 * well-formed, contains only Graphviz's own elements and attributes (none
 * made from a process name), carries every hostile name as text, and
 * shows every namespace of the model. Checked for the WASM layout graphns
 * uses and for Debian's native dot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { modelToDot } from '../../main/emit';
import { dotToSvg, LayoutError } from '../../main/layout';
import { escapeDisplay } from '../../main/model';
import type { Model } from '../../main/model';
import { unmetNeed } from '../helpers/need';
import { HOSTILE_NAMES, hostileModel } from './fixtures/dot-models';

const NATIVE_DOT = '/usr/bin/dot';

/** Elements Graphviz's SVG renderer writes (core svg plugin, any version we use). */
const ELEMENTS = new Set(
  'svg g title text polygon polyline ellipse path a defs linearGradient radialGradient stop image'.split(
    ' ',
  ),
);
/** Attributes it writes on them. */
const ATTRIBUTES = new Set([
  ...'width height viewBox xmlns xmlns:xlink id class transform fill stroke points d cx cy rx ry x y'.split(
    ' ',
  ),
  ...'text-anchor font-family font-size font-weight font-style text-decoration xml:space'.split(
    ' ',
  ),
  ...'stroke-width stroke-dasharray fill-opacity stroke-opacity xlink:href xlink:title target'.split(
    ' ',
  ),
  ...'x1 y1 x2 y2 gradientUnits offset style baseline-shift'.split(' '),
]);

interface Walked {
  elements: Set<string>;
  attributes: Set<string>;
  texts: string[];
  ids: Set<string>;
}

/** Parse strictly (any warning fails) and collect what the document is made of. */
function walk(svg: string): Walked {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    svg,
    'image/svg+xml',
  );
  const out: Walked = { elements: new Set(), attributes: new Set(), texts: [], ids: new Set() };
  const visit = (el: Element) => {
    out.elements.add(el.tagName);
    for (let i = 0; i < el.attributes.length; i++) out.attributes.add(el.attributes[i]!.name);
    const id = el.getAttribute('id');
    if (id) out.ids.add(id);
    // Graphviz writes runs of spaces as no-break spaces so SVG keeps them
    if (el.tagName === 'text') out.texts.push((el.textContent ?? '').replace(/\u00a0/g, ' '));
    for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) visit(c as Element);
  };
  visit(doc.documentElement as Element);
  return out;
}

function check(svg: string, model: Model, details: boolean, who: string) {
  const w = walk(svg);
  assert.deepEqual(
    [...w.elements].filter((e) => !ELEMENTS.has(e)),
    [],
    `${who}: elements`,
  );
  assert.deepEqual(
    [...w.attributes].filter((a) => !ATTRIBUTES.has(a)),
    [],
    `${who}: attributes`,
  );
  for (const [kind, name] of Object.entries(HOSTILE_NAMES)) {
    // as escapeDisplay() shows it, plus the two code points XML forbids made visible
    const shown = escapeDisplay(name).replace(
      /[\uFFFE\uFFFF]/g,
      (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
    );
    assert.ok(
      w.texts.some((t) => t.trim() === shown.trim()),
      `${who}: ${kind} name ${JSON.stringify(shown)} is not a text of its own`,
    );
  }
  const all = w.texts.join('\n');
  for (const ns of model.namespaces) {
    if (!details && ns.type !== 'user' && ns.type !== 'pid') continue;
    assert.ok(all.includes(`[${ns.ino}]`), `${who}: ${ns.key} is not shown`);
  }
  for (const ns of model.namespaces) {
    if (ns.type === 'user' || ns.type === 'pid') {
      assert.ok(w.ids.has(ns.key.replace(':', '-')), `${who}: no element with the id of ${ns.key}`);
    }
  }
}

for (const details of [false, true]) {
  test(`WASM layout: clean SVG with every name as text (details: ${details})`, async () => {
    const model = hostileModel();
    const svg = await dotToSvg(modelToDot(model, { details }));
    check(svg, model, details, 'wasm');
  });

  test(`native dot: clean SVG with every name as text (details: ${details})`, (t) => {
    if (!existsSync(NATIVE_DOT))
      return t.skip(unmetNeed('native Graphviz (apt-get install graphviz) is missing'));
    const model = hostileModel();
    const r = spawnSync(NATIVE_DOT, ['-Tsvg'], {
      input: modelToDot(model, { details }),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    check(r.stdout, model, details, 'native');
  });
}

test('a DOT syntax error is a LayoutError, and the next layout still works', async () => {
  await assert.rejects(dotToSvg('digraph { a -> }'), LayoutError);
  const svg = await dotToSvg('digraph { a -> b }');
  assert.match(svg, /<svg/);
});
