/**
 * The find box end to end: the browser shell in headless Chromium on a
 * live scan (as root; without -d, so the flat namespaces are hidden by the
 * filters and must be counted apart) of a real scene (two processes with
 * one unique name, one of them in its own user, PID and net namespaces)
 * and real podman containers (one with a user namespace of its own, a
 * pod). What a query must match, and in which order, is computed from
 * the kernel (/proc/PID/ns links, /proc/PID/cgroup, /proc/PID/stat for
 * who is most senior in a namespace), never from graphns: a container's
 * own namespaces (none of their processes outside a container) and a
 * process's (it is the most senior there) come first, the first Enter
 * centres the container's PID namespace. Screenshots land in test-results/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Engines } from '../helpers/engines';
import { needRoot, nsInode, Scene } from '../helpers/scene';
import { launchViewer, ROOT, viewerSkip, type Viewer } from '../helpers/viewer';
import {
  argvOf,
  checkMarks,
  dataset,
  namespacesOf,
  offCentre,
  pidsIn,
  svgIdOf,
  markedIds,
  waitData,
} from '../helpers/viewer-ui';

const skip = needRoot || viewerSkip();
/** The types the viewer draws without -d; the others are hidden by its filters. */
const DRAWN_TYPES = new Set(['user', 'pid']);

/** The model key an element of the drawing stands for (`a_row-net-1` and `net-1` are `net:1`). */
const keyOfId = (id: string): string => id.replace(/^a_row-/, '').replace('-', ':');

/** Split kernel namespace keys into drawn and hidden, as the default view does. */
function split(keys: Iterable<string>): { drawn: string[]; hidden: string[] } {
  const all = [...new Set(keys)].sort();
  return {
    drawn: all.filter((k) => DRAWN_TYPES.has(k.split(':')[0]!)),
    hidden: all.filter((k) => !DRAWN_TYPES.has(k.split(':')[0]!)),
  };
}

/** Put `query` in the find box (typed: one input event per key) and wait for its highlight. */
async function find(page: Page, query: string): Promise<void> {
  await page.locator('#find-input').fill('');
  await page.locator('#find-input').pressSequentially(query);
  await waitData(page, 'findQuery', query);
}

/**
 * The keys of the drawing's marked matches, sorted; checked to be what the
 * overlay outlines on screen too, one outline on each.
 */
async function marked(page: Page): Promise<string[]> {
  const ids = await markedIds(page, 'match');
  const on = await checkMarks(page, 'match', ids);
  assert.deepEqual(on.off, [], 'match outlines sit on their elements');
  // every match in view outlined, none twice (those far from the view are left out)
  assert.ok(
    on.outlines >= on.seen && on.outlines <= ids.length,
    `match outlines: ${on.outlines}, matches in view ${on.seen} of ${ids.length}`,
  );
  return ids.map(keyOfId).sort();
}

/** The PIDs in the same cgroup as `pid` (its container's processes), from /proc. */
function sameCgroup(pid: number): number[] {
  const want = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cgroup`, 'utf8') === want) out.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return out;
}

/** A process's parent and start time (clock ticks), from /proc/PID/stat; undefined once it is gone. */
function statOf(pid: number): { ppid: number; start: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the name's closing parenthesis: state ppid ... (field 22 is the start time)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), start: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/**
 * The most senior process in namespace `key`, as the kernel has it: of
 * the processes in it whose parent is not, the one started first.
 */
function seniorIn(key: string): number | undefined {
  const pids = new Set(pidsIn(key));
  let best: { pid: number; start: number } | undefined;
  for (const pid of pids) {
    const s = statOf(pid);
    if (!s || pids.has(s.ppid)) continue;
    if (!best || s.start < best.start || (s.start === best.start && pid < best.pid))
      best = { pid, start: s.start };
  }
  return best?.pid;
}

/** Whether a process runs in a podman container: its cgroup is a container's scope (not conmon's). */
function inContainer(pid: number): boolean {
  try {
    // /libpod_parent/libpod-<id> (cgroupfs), …/libpod-<id>.scope (systemd); a container's own cgroups below
    return /\/libpod-[0-9a-f]{64}(?:\.scope)?(?:\/|$)/m.test(
      readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
    );
  } catch {
    return false;
  }
}

/**
 * The namespaces of `pids` (a container's processes) that no process
 * outside a container is in: the container's own, as the kernel has it.
 */
function ownOf(pids: number[]): Set<string> {
  const own = new Set<string>();
  for (const k of new Set(pids.flatMap(namespacesOf))) {
    if (pidsIn(k).every(inContainer)) own.add(k);
  }
  return own;
}

test(
  'the find box: names, PIDs, containers and ids against the kernel; stepping, Escape, keys',
  { skip, timeout: 300_000 },
  async (t) => {
    const scene = new Scene();
    const home = mkdtempSync(join(tmpdir(), 'graphns-find-home-'));
    const engines = await Engines.up(['podman']);
    const name = `gnsfind${randomBytes(4).toString('hex')}`;
    let viewer: Viewer | undefined;
    try {
      const sleepAs = ['bash', '-c', 'exec -a "$0" sleep 1000', name];
      const a = await scene.start([
        'unshare',
        '--user',
        '--map-root-user',
        '--pid',
        '--net',
        '--fork',
        ...sleepAs,
      ]);
      const b = await scene.start(sleepAs);
      // named as we asked before the viewer scans
      for (const pid of [a.pid, b.pid]) assert.ok((await argvOf(pid)).includes(name));
      const aNs = {
        user: `user:${nsInode(a.pid, 'user')}`,
        net: `net:${nsInode(a.pid, 'net')}`,
      };
      viewer = await launchViewer([], { HOME: home, XDG_CONFIG_HOME: join(home, 'config') });
      const { page } = viewer;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      assert.equal((await dataset(page)).state, 'ready');

      await t.test(
        "/ opens it; a process name matches exactly its processes' namespaces",
        async () => {
          await page.keyboard.press('/');
          await waitData(page, 'find', 'open');
          assert.equal(await page.evaluate('document.activeElement.id'), 'find-input');
          await find(page, name);
          const want = split([...namespacesOf(a.pid), ...namespacesOf(b.pid)]);
          assert.deepEqual(await marked(page), want.drawn);
          const d = await dataset(page);
          assert.equal(d.findCount, String(want.drawn.length));
          assert.equal(d.findHidden, String(want.hidden.length));
          // its own: where one of the two is the most senior process
          const own = want.drawn.filter((k) => [a.pid, b.pid].includes(seniorIn(k)!));
          assert.ok(own.length > 0, `${name} is most senior somewhere: ${want.drawn.join(' ')}`);
          const mentions = want.drawn.length - own.length;
          assert.equal(
            await page.locator('#find-count').textContent(),
            `${want.drawn.length} matches: ${own.length} own namespace${own.length === 1 ? '' : 's'} of process "${name}"` +
              `${mentions > 0 ? `, ${mentions} mentioning it` : ''}, ${want.hidden.length} hidden by filters`,
          );
        },
      );

      await t.test('Enter steps through the matches, each centred; Shift+Enter back', async () => {
        const all = split([...namespacesOf(a.pid), ...namespacesOf(b.pid)]);
        const want = all.drawn;
        const own = want.filter((k) => [a.pid, b.pid].includes(seniorIn(k)!));
        const seen: string[] = [];
        for (let i = 0; i < want.length; i++) {
          await page.keyboard.press('Enter');
          const d = await dataset(page);
          const cur = d.findCurrent!;
          assert.ok(want.includes(cur), `${cur} is a match`);
          // the process's own namespaces first
          assert.equal(own.includes(cur), i < own.length, `step ${i + 1}: ${cur}`);
          seen.push(cur);
          const why = own.includes(cur) ? 'own namespace of' : 'mentions';
          assert.equal(
            await page.locator('#find-count').textContent(),
            `${i + 1} of ${want.length}: ${why} process "${name}", ${all.hidden.length} hidden by filters`,
          );
          const off = await offCentre(page, svgIdOf(cur));
          assert.ok(
            Math.abs(off.dx) < 3 && Math.abs(off.dy) < 3,
            `${cur} centred: ${JSON.stringify(off)}`,
          );
          assert.ok(Number(d.zoom) >= 0.999, `readable zoom: ${d.zoom}`);
          assert.deepEqual(await markedIds(page, 'match-current'), [svgIdOf(cur)]);
          const on = await checkMarks(page, 'match-current', [svgIdOf(cur)]);
          assert.deepEqual(on, { outlines: 1, off: [], seen: 1 }, 'the current match outlined');
        }
        assert.deepEqual([...seen].sort(), want, 'each match once');
        await page.keyboard.press('Shift+Enter');
        assert.equal((await dataset(page)).findCurrent, seen[seen.length - 2]);
        mkdirSync(join(ROOT, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'test-results', 'viewer-find.png') });
      });

      await t.test('a PID finds the namespaces the kernel says it is in', async () => {
        await find(page, String(a.pid));
        const want = split(namespacesOf(a.pid));
        const got = await marked(page);
        // a PID also matches ids that start with its digits: all of the process's, perhaps more
        for (const k of want.drawn) assert.ok(got.includes(k), `${k} found by PID ${a.pid}`);
        assert.ok(Number((await dataset(page)).findHidden) >= want.hidden.length);
      });

      await t.test("a container's name finds exactly its processes' namespaces", async (tt) => {
        const why = engines.skip('podman');
        if (why) return tt.skip(why);
        const web1 = engines.byBase('podman', 'web1')!;
        await find(page, web1.name);
        const want = split(sameCgroup(web1.pid).flatMap(namespacesOf));
        assert.deepEqual(await marked(page), want.drawn);
        assert.equal((await dataset(page)).findHidden, String(want.hidden.length));
      });

      await t.test(
        "a container's or pod's name: its own namespaces first, Enter centres its PID namespace",
        async (tt) => {
          const why = engines.skip('podman');
          if (why) return tt.skip(why);
          const podman = engines.of('podman');
          // web1 (the host's user namespace), mapped (a user namespace of its own), the pod
          const cases = [
            ...['web1', 'mapped'].map((base) => {
              const c = engines.byBase('podman', base)!;
              return { query: c.name, what: `container "${c.name}"`, pids: sameCgroup(c.pid) };
            }),
          ];
          const pod = podman.find((c) => c.pod && !c.sandbox)?.pod;
          if (pod && !engines.podSkip) {
            const members = podman.filter((c) => c.pod?.id === pod.id);
            cases.push({
              query: pod.name,
              what: `pod ${pod.name}`,
              pids: members.flatMap((c) => sameCgroup(c.pid)),
            });
          }
          for (const c of cases) {
            await find(page, c.query);
            const own = split(ownOf(c.pids)).drawn;
            const matched = await marked(page);
            for (const k of own) assert.ok(matched.includes(k), `${c.query} finds its own ${k}`);
            const count = (await page.locator('#find-count').textContent()) ?? '';
            assert.ok(
              count.startsWith(
                `${matched.length} matches: ${own.length} own namespace${own.length === 1 ? '' : 's'} of ${c.what}`,
              ),
              `${c.query}: ${count}`,
            );
            // Enter: its own ones first, a PID namespace first of all, centred at a readable zoom
            for (let i = 0; i < own.length; i++) {
              await page.keyboard.press('Enter');
              const d = await dataset(page);
              const cur = d.findCurrent!;
              assert.ok(own.includes(cur), `${c.query} step ${i + 1}: ${cur} is its own`);
              if (i === 0) {
                assert.match(cur, /^pid:/, `${c.query}: the first Enter goes to a PID namespace`);
                const off = await offCentre(page, svgIdOf(cur));
                assert.ok(
                  Math.abs(off.dx) < 3 && Math.abs(off.dy) < 3,
                  `${cur} centred: ${JSON.stringify(off)}`,
                );
                assert.ok(Number(d.zoom) >= 0.999, `readable zoom: ${d.zoom}`);
                mkdirSync(join(ROOT, 'test-results'), { recursive: true });
                await page.screenshot({
                  path: join(ROOT, 'test-results', `viewer-find-${c.query}.png`),
                });
              }
            }
            // what follows mentions it: a namespace a process outside every container is in
            if (matched.length > own.length) {
              await page.keyboard.press('Enter');
              const cur = (await dataset(page)).findCurrent!;
              assert.ok(!own.includes(cur), `${c.query}: after its own, ${cur}`);
            }
          }
        },
      );

      await t.test('an id finds that namespace; a hidden one is counted as hidden', async () => {
        const ino = aNs.user.split(':')[1]!;
        await find(page, `user:[${ino}]`);
        assert.deepEqual(await marked(page), [aNs.user]);
        await find(page, `[${ino}]`);
        assert.deepEqual(await marked(page), [aNs.user]);
        const net = aNs.net.split(':')[1]!;
        await find(page, `net:[${net}]`);
        assert.deepEqual(await marked(page), []);
        assert.equal(
          await page.locator('#find-count').textContent(),
          'none shown, 1 hidden by filters',
        );
      });

      await t.test('typed letters go into the box, not to the shortcuts', async () => {
        const before = await dataset(page);
        await page.locator('#find-input').fill('');
        await page.keyboard.type('qh+1s-r');
        assert.equal(await page.locator('#find-input').inputValue(), 'qh+1s-r');
        const after = await dataset(page);
        assert.equal(after.state, 'ready');
        assert.equal(after.zoom, before.zoom);
        assert.equal(await page.locator('#help').isHidden(), true);
        assert.doesNotMatch((await page.locator('#status').textContent()) ?? '', /sav|rediscover/);
        assert.equal(viewer!.child.exitCode, null, 'graphns still runs');
        // Ctrl+F in the box selects its text, rather than the browser's find
        await page.keyboard.press('Control+f');
        assert.deepEqual(
          await page.evaluate(
            '(() => { const i = document.activeElement; return [i.id, i.selectionStart, i.selectionEnd]; })()',
          ),
          ['find-input', 0, 'qh+1s-r'.length],
        );
      });

      await t.test('Escape closes the box and clears the highlight', async () => {
        await find(page, name);
        assert.ok((await marked(page)).length > 0);
        await page.keyboard.press('Enter');
        await page.keyboard.press('Escape');
        await waitData(page, 'find', undefined);
        assert.equal(await page.locator('#find').isHidden(), true);
        assert.deepEqual(await markedIds(page, 'match'), []);
        assert.deepEqual(await markedIds(page, 'match-current'), []);
        assert.equal(await page.locator('#marks path').count(), 0, 'no outline left');
      });

      await t.test(
        'keyboard only: Ctrl+F, Ctrl+Enter opens the details, Tab reaches the buttons',
        async () => {
          await page.evaluate('document.activeElement?.blur()');
          await page.keyboard.press('Control+f');
          await waitData(page, 'find', 'open');
          await find(page, `user:[${aNs.user.split(':')[1]}]`);
          await page.keyboard.press('Enter');
          await page.keyboard.press('Control+Enter');
          await waitData(page, 'details', aNs.user);
          // a namespace it owns that the filters hide: the panel says so, and its link still selects it
          const link = page.locator(`#details button.ns-link[data-key="${aNs.net}"]`);
          assert.match((await link.textContent()) ?? '', /not drawn/);
          await page.locator('#find-input').focus();
          const seen = new Set<string>();
          for (let i = 0; i < 12; i++) {
            await page.keyboard.press('Tab');
            const a: string = await page.evaluate(
              '(() => { const a = document.activeElement; return a.id || a.className; })()',
            );
            seen.add(a.split(' ')[0]!);
          }
          for (const want of ['find-next', 'find-details', 'find-close', 'details-close', 'copy']) {
            assert.ok(seen.has(want), `Tab reaches ${want}: ${[...seen].join()}`);
          }
          await link.focus();
          await page.keyboard.press('Enter');
          await waitData(page, 'details', aNs.net);
          assert.equal((await dataset(page)).detailsDrawn, 'no');
          assert.match(
            await page.locator('#details').innerText(),
            /not drawn: hidden by the filters/,
          );
          // Escape: the find box first, then the panel
          await page.keyboard.press('Escape');
          await waitData(page, 'find', undefined);
          await page.keyboard.press('Escape');
          await waitData(page, 'details', undefined);
          assert.deepEqual(errors, []);
        },
      );
    } finally {
      await viewer?.close();
      await scene.teardown();
      const left = await engines.down();
      rmSync(home, { recursive: true, force: true });
      assert.deepEqual(left, [], 'engines removed');
    }
  },
);
