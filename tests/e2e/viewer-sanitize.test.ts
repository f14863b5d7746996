/**
 * The page's SVG sanitizer (renderer/sanitize.ts) in real Chromium: active
 * content is removed however it is written (prefixes, case, entities that
 * expand to markup, attribute defaults from the document's own DTD), and
 * Graphviz's own output, hostile process names included, comes through
 * whole while skipping the removal passes (the fast path that keeps a
 * large graph's insert cheap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { modelToDot } from '../../main/emit';
import { dotToSvg } from '../../main/layout';
import { syntheticModel } from '../bench/synthetic';
import { CHROMIUM, ROOT } from '../helpers/viewer';
import { hostileModel } from '../unit/fixtures/dot-models';

const SVG = 'http://www.w3.org/2000/svg';
const XLINK = 'http://www.w3.org/1999/xlink';

/** Hostile SVG texts: none of what they carry may survive. */
const HOSTILE: Record<string, string> = {
  plain: `<svg xmlns="${SVG}"><script>alert(1)</script><rect onclick="x()" style="fill:red"/><style>*{}</style></svg>`,
  prefixed: `<s:svg xmlns:s="${SVG}" xmlns:e="urn:x"><s:script>alert(1)</s:script><s:rect e:onclick="x()"/></s:svg>`,
  upperCase: `<svg xmlns="${SVG}"><rect ONLOAD="x()" OnClick="y()" STYLE="fill:red"/></svg>`,
  spacedEquals: `<svg xmlns="${SVG}"><rect onload = "x()"/></svg>`,
  links: `<svg xmlns="${SVG}" xmlns:xlink="${XLINK}"><a xlink:href="https://evil.example/"><text>x</text></a><a href="javascript:alert(1)"><text>y</text></a><a xlink:href=" #x"><text>z</text></a><a href="#x"><text>kept</text></a></svg>`,
  foreign: `<svg xmlns="${SVG}"><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject><embed/><object/></svg>`,
  entity: `<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;&#60;rect onclick='x()'/&#62;">]><svg xmlns="${SVG}">&x;</svg>`,
  attlist: `<!DOCTYPE svg [<!ATTLIST rect onclick CDATA "alert(1)">]><svg xmlns="${SVG}"><rect/></svg>`,
};

/** What the page reports of one text (IN_PAGE). */
interface Outcome {
  fast: boolean;
  before: string[];
  after: string[];
  elementsBefore: number;
  elementsAfter: number;
  textBefore: string;
  textAfter: string;
}

/**
 * Run in the page, on one SVG text: parseSvg's result and a plain parse,
 * with everything active found in each (by local name, in any namespace).
 * Plain JavaScript text: the Node side has no DOM types to check it with.
 */
const IN_PAGE = `(svg) => {
  const raw = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const out = sanitize.parseSvg(svg);
  const found = [[], []];
  [raw.documentElement, out].forEach((root, i) => {
    for (const el of [root, ...root.getElementsByTagName('*')]) {
      if (/^(script|foreignObject|iframe|object|embed|style)$/.test(el.localName)) {
        found[i].push('<' + el.localName + '>');
      }
      for (const a of el.attributes) {
        const n = a.localName.toLowerCase(); // on...: any case, as parseSvg promises
        if (n.startsWith('on') || a.localName === 'style' || (a.localName === 'href' && !a.value.startsWith('#'))) {
          found[i].push('@' + a.localName);
        }
      }
    }
  });
  return {
    fast: !sanitize.mayBeActive(svg),
    before: found[0],
    after: found[1],
    elementsBefore: raw.documentElement.getElementsByTagName('*').length,
    elementsAfter: out.getElementsByTagName('*').length,
    textBefore: raw.documentElement.textContent,
    textAfter: out.textContent,
  };
}`;

const skip = existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`;

test(
  'the SVG sanitizer in Chromium: active content removed, Graphviz output kept whole',
  { skip, timeout: 120_000 },
  async (t) => {
    const bundle = await build({
      absWorkingDir: ROOT,
      entryPoints: ['renderer/sanitize.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'sanitize',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
      /** What parseSvg leaves of `text`, and what the plain parse had. */
      const sanitized = (text: string): Promise<Outcome> =>
        page.evaluate(`(${IN_PAGE})(${JSON.stringify(text)})`);

      await t.test('hostile SVG: nothing active survives, however it is written', async () => {
        for (const [name, svg] of Object.entries(HOSTILE)) {
          const r = await sanitized(svg);
          assert.equal(r.fast, false, `${name}: the removal passes run`);
          assert.deepEqual(r.after, [], `${name}: left ${r.after.join(' ')}`);
          // the case is real: Chromium's parse has it (the DTD cases too, or they prove nothing)
          assert.notDeepEqual(r.before, [], `${name}: the parse had nothing active to begin with`);
        }
      });

      await t.test(
        "Graphviz's output, hostile names too, comes through whole by the fast path",
        async () => {
          for (const [name, model] of [
            ['synthetic 300', syntheticModel(300)],
            ['hostile names', hostileModel()],
          ] as const) {
            const svg = await dotToSvg(modelToDot(model, { details: true }));
            const r = await sanitized(svg);
            assert.equal(r.fast, true, `${name}: no removal pass needed`);
            assert.deepEqual(r.before, [], `${name}: Graphviz emitted something active`);
            assert.equal(r.elementsAfter, r.elementsBefore, `${name}: elements kept`);
            assert.equal(r.textAfter, r.textBefore, `${name}: text kept`);
          }
        },
      );
    } finally {
      await browser.close();
    }
  },
);
