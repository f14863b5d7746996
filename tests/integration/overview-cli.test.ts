/**
 * The overview from the command line (issue 21): `graphns --open SNAP
 * --output` on large snapshots, as built (dist/app/graphns.js), with real
 * Graphviz (WebAssembly). What the SVG says is checked against the
 * snapshot's own fields (parents, process names), not the code's counts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE } from '../../main/emit/overview';
import { serializeModel, type Model } from '../../main/model';
import { syntheticModel } from '../bench/synthetic';
import { starModel } from '../unit/fixtures/dot-models';

const GRAPHNS = join(import.meta.dirname, '..', '..', 'dist', 'app', 'graphns.js');
let dir = '';

function graphns(...args: string[]) {
  const r = spawnSync(process.execPath, [GRAPHNS, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The SVG's nodes: ids and text, by Graphviz's own `<g class="node ...">` groups. */
function nodesOf(svg: string): { id: string; cls: string; text: string }[] {
  const out: { id: string; cls: string; text: string }[] = [];
  const re = /<g id="([^"]+)" class="(node[^"]*)">([\s\S]*?)<\/g>/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const text = m[3]!
      .replace(/<title>[\s\S]*?<\/title>/, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    out.push({ id: m[1]!, cls: m[2]!, text });
  }
  return out;
}

/** How many children of the root the snapshot holds per label name. */
function childrenByName(model: Model): Map<string, number> {
  const root = model.namespaces[0]!;
  const out = new Map<string, number>();
  for (const n of model.namespaces) {
    if (n.parent !== root.key) continue;
    const name = model.processes.find((p) => p.pid === n.pids[0])?.name ?? '';
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

let star: Model;
let starFile = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphns-overview-cli-'));
  star = starModel(20000, (i) => (i % 4 === 0 ? 'bwrap' : 'chromium'));
  starFile = join(dir, 'star.json');
  writeFileSync(starFile, serializeModel(star));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a star of 20 000 user namespaces is written as the overview, its counts the snapshot’s', () => {
  const out = join(dir, 'star.svg');
  const r = graphns('--open', starFile, '-d', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  const said =
    /^graphns: 40,002 namespaces \(too many to lay out in seconds\): drawing the overview, (\d+) drawn, ([\d,]+) in groups; --full draws every one\n$/.exec(
      r.stderr,
    );
  assert.ok(said, r.stderr);
  assert.equal(Number(said[1]) + Number(said[2]!.replace(/,/g, '')), 40002, 'all accounted for');
  const nodes = nodesOf(readFileSync(out, 'utf8'));
  assert.ok(nodes.length < 20, `${nodes.length} boxes`);
  const fans = nodes.filter((n) => n.cls.split(' ').includes('fan'));
  for (const [name, count] of childrenByName(star)) {
    const fan = fans.find((f) => f.text.includes(name));
    assert.ok(fan, `a group for ${name}: ${JSON.stringify(fans)}`);
    // the first SAMPLE drawn beside it, as examples; each member owns one net namespace
    const n = (count - SAMPLE).toLocaleString('en-US');
    assert.match(
      fan.text,
      new RegExp(
        `^${n} more user namespaces ${name} like the ${SAMPLE} drawn beside, ${n} more below them`,
      ),
    );
  }
});

test('--full draws every namespace, or, when Graphviz cannot, the overview with a note', () => {
  const out = join(dir, 'full.svg');
  const r = graphns('--open', starFile, '--full', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  const nodes = nodesOf(readFileSync(out, 'utf8'));
  if (/cannot lay out/.test(r.stderr)) {
    // the layout's own failure, named, then the overview's note
    assert.match(r.stderr, /^graphns: cannot lay out all 20002 namespaces: .+\n/);
    assert.match(r.stderr, /drawing the overview/);
    assert.ok(nodes.some((n) => n.cls.includes('fan')));
  } else {
    assert.equal(r.stderr, '');
    assert.equal(nodes.length, 20002);
  }
});

test('--overview draws a small graph as the overview too; a graph within the budget is drawn whole', () => {
  const file = join(dir, 'm.json');
  writeFileSync(file, serializeModel(syntheticModel(600)));
  const whole = graphns('--open', file, '-d', '--dot');
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(whole.stderr, '');
  assert.doesNotMatch(whole.stdout, /class="fan/);
  const asked = graphns('--open', file, '-d', '--overview', '--dot');
  assert.equal(asked.code, 0, asked.stderr);
  assert.match(asked.stderr, /^graphns: 600 namespaces: drawing the overview/);
  assert.match(asked.stdout, /class="fan t-/);
});

test('--overview with --full, or with --net, is a usage error', () => {
  for (const args of [
    ['--overview', '--full'],
    ['--net', '--overview'],
  ]) {
    const r = graphns('--open', starFile, ...args, '--dot');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^graphns: --overview and --/);
  }
});
