/**
 * What reading a network namespace's interfaces costs (issue 19: stated
 * per network namespace at 1000 namespaces): the benchmarks' scene of N
 * `unshare -Urn sleep infinity` processes, each network namespace read
 * through main/net (open its /proc link, a socket made inside it, a link
 * and an address dump, close), in process, several rounds; beside it what
 * users do today, one `nsenter -t PID -n ip -j addr` process per
 * namespace, on a sample (it is a process each). Run as root:
 *
 *   node --import tsx tests/bench/net-bench.ts [N] [--rounds R]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { addressOf, linkOf } from '../../main/net/rtnetlink';
import { Rtnl } from '../../main/net/socket';
import { median } from './measure';
import { buildScene, teardown } from './scene';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 7;
const n = Number(args[0] ?? 1000);

/** Read one namespace whole; returns how many links and addresses it has. */
function readOne(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const s = Rtnl.open(fd);
    try {
      return s.links().payloads.map(linkOf).length + s.addresses().payloads.map(addressOf).length;
    } finally {
      s.close();
    }
  } finally {
    closeSync(fd);
  }
}

if (process.geteuid?.() !== 0) {
  console.error('net-bench: run as root');
  process.exitCode = 1;
} else {
  const kids = await buildScene(n);
  try {
    const paths = kids.map((k) => `/proc/${k.pid}/ns/net`);
    readOne(paths[0]!); // warm-up: libc bound, code compiled
    const perNs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      let items = 0;
      for (const p of paths) items += readOne(p);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      perNs.push(ms / paths.length);
      if (items < paths.length) throw new Error('a namespace read empty');
    }
    const sample = paths.slice(0, 50);
    const t0 = process.hrtime.bigint();
    for (const p of sample) {
      const pid = p.split('/')[2]!;
      execFileSync('nsenter', ['-t', pid, '-n', 'ip', '-j', 'addr'], { stdio: 'ignore' });
    }
    const ipMs = Number(process.hrtime.bigint() - t0) / 1e6 / sample.length;
    const m = median(perNs);
    console.log(`${n} network namespaces, ${rounds} rounds, median per namespace:`);
    console.log('| reader | per namespace (ms) | whole scene (ms) |');
    console.log('|---|---|---|');
    console.log(`| main/net (in process) | ${m.toFixed(3)} | ${(m * n).toFixed(0)} |`);
    console.log(
      `| nsenter -n ip -j addr (a process each, 50 sampled) | ${ipMs.toFixed(2)} | ${(ipMs * n).toFixed(0)} |`,
    );
    console.log(`rounds: ${perNs.map((x) => x.toFixed(3)).join(', ')}`);
  } finally {
    await teardown(kids);
  }
}
