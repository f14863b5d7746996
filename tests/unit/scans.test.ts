/**
 * The privileged side's scan queue: a flood of rediscovery requests runs
 * at most one scan at a time and one more after it, and every request is
 * answered by a scan that started after the request arrived.
 *
 * The queue runs on the real clock (setTimeout, performance.now()); the
 * tests wait for its states (a scan started, an answer given), never for
 * a time: a loaded machine only makes the gaps longer. A wait that never
 * ends is a failure after HANG_MS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanQueue } from '../../main/shell/scans';
import { HANG_MS } from '../helpers/need';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** One turn of the event loop: the queue's own steps after an answer (its finally, next()) have run. */
const turn = () => new Promise((r) => setImmediate(r));

test(
  'a flood of requests costs one running and one pending scan, and every request is answered',
  { timeout: HANG_MS },
  async () => {
    let running = 0;
    let most = 0;
    const started: number[] = []; // request count seen when each scan started
    let requested = 0;
    const answers: [upTo: number, scan: number][] = [];
    let bothAnswered!: () => void;
    const twoAnswers = new Promise<void>((r) => (bothAnswered = r));
    // the first scan runs until the flood has been sent, however slow the machine
    let release!: () => void;
    const flooded = new Promise<void>((r) => (release = r));
    const request = scanQueue(
      async () => {
        running++;
        most = Math.max(most, running);
        started.push(requested);
        const n = started.length;
        if (n === 1) await flooded;
        else await tick(5);
        running--;
        return n;
      },
      (upTo, scan) => {
        answers.push([upTo, scan]);
        if (answers.length === 2) bothAnswered();
      },
      0, // no gap between scans: this test is about the queue (the gap has its own below)
    );
    request(0);
    requested = 1;
    for (let id = 1; id <= 1000; id++) {
      request(id);
      requested = id + 1;
      if (id % 100 === 0) await tick(1); // some arrive while the first scan runs, all before it ends
    }
    release();
    await twoAnswers;
    // and nothing more comes: with no gap, a third scan would have started by the next turn
    await turn();
    assert.equal(most, 1, 'never two scans at once');
    assert.equal(started.length, 2, 'the first scan and one for all 1000 requests');
    assert.deepEqual(answers, [
      [0, 1],
      [1000, 2],
    ]);
    // the second scan started after the last request arrived: nobody got a stale graph
    assert.equal(started[1], 1001);
  },
);

test('a request after the queue went idle starts a scan at once; a failed scan still frees the queue', async () => {
  const answers: number[] = [];
  let calls = 0;
  // each scan runs until the test lets it end
  const ends: (() => void)[] = [];
  const request = scanQueue(
    async () => {
      calls++;
      await new Promise<void>((r) => ends.push(r));
      if (calls === 1) throw new Error('scan failed');
      return calls;
    },
    (upTo) => answers.push(upTo),
    0,
  );
  request(1);
  assert.equal(calls, 1, 'the first request starts a scan at once');
  ends[0]!(); // the scan fails
  await turn();
  request(2);
  assert.equal(calls, 2, 'the failed scan freed the queue: the next request starts one at once');
  ends[1]!();
  await turn();
  assert.deepEqual(answers, [2], 'the failed scan answers nothing; the next one runs');
});

test(
  'scans start at least the gap apart, however a page floods: root runs at most one scan a gap',
  { timeout: HANG_MS },
  async () => {
    const GAP = 150;
    const starts: number[] = [];
    const answered: number[] = [];
    const request = scanQueue(
      async () => {
        starts.push(performance.now());
        await tick(1); // a quick scan: without the gap, a flood would start the next at once
        return starts.length;
      },
      (upTo) => answered.push(upTo),
      GAP,
    );
    // six "pages" asking in parallel loops, as the attack did, for about five gaps
    let id = 0;
    const until = performance.now() + 5 * GAP;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (performance.now() < until) {
          request(++id);
          await tick(2);
        }
      }),
    );
    // the last request is still answered, by a scan that starts once the gap has passed
    while (answered.at(-1) !== id) await tick(10);
    for (let i = 1; i < starts.length; i++) {
      // timers may fire a millisecond early by performance.now()'s reckoning
      assert.ok(
        starts[i]! - starts[i - 1]! >= GAP - 2,
        `scan ${i} started ${starts[i]! - starts[i - 1]!} ms after the one before`,
      );
    }
    // a loaded machine can only make this fewer; about 5 gaps of flooding allow at most 7 scans
    assert.ok(starts.length <= 7, `${starts.length} scans`);
    assert.ok(starts.length >= 2, 'the flood was answered by more than the first scan');
  },
);
