/**
 * A real scan of a world of its own: bash runs as PID 1 of a new PID
 * namespace with its own /proc (and mount namespace), starts a scene there
 * with unshare, and `graphns --json` scans it. Discovery sees only that
 * scene's processes and what they lead to (owners, parents, hidden
 * namespaces), however many namespaces the rest of the machine has right
 * now, so the viewer tests that need a graph of a known size stay
 * deterministic. When bash ends, the kernel kills everything the scene
 * started and its mounts go with its mount namespace.
 */
import { HANG_MS } from './need';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './viewer';

const GRAPHNS = join(ROOT, 'dist', 'app', 'graphns.js');

/** Bash functions the scene script may use. */
const PRELUDE = String.raw`
set -euo pipefail
mount --make-rprivate /
# the PID of the process named sleep that is $1 or one of its children (unshare --fork)
find_sleep() {
  for _ in $(seq 500); do
    for q in $1 $(cat /proc/$1/task/*/children 2>/dev/null); do
      if [ "$(cat /proc/$q/comm 2>/dev/null)" = sleep ]; then echo $q; return; fi
    done
    sleep 0.02
  done
  echo "no sleep under $1" >&2
  return 1
}
`;

/**
 * Run `script` (bash, after PRELUDE) in a fresh PID and mount namespace,
 * then scan with graphns and write the snapshot to `snapshot`. Returns
 * what the script printed (e.g. the namespace links of what it started).
 */
export function scanWorld(script: string, snapshot: string, timeoutMs = HANG_MS): string {
  const scan = `"${process.execPath}" "${GRAPHNS}" --json > "${snapshot}"`;
  const r = spawnSync(
    'unshare',
    ['--pid', '--fork', '--mount-proc', 'bash', '-c', `${PRELUDE}\n${script}\n${scan}`],
    { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) {
    throw new Error(`the scene failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  return r.stdout;
}

/** `key value` lines (what a scene script echoed) as a map. */
export function echoed(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .split('\n')
      .filter((l) => l.includes(' '))
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as const),
  );
}

/** The inode of a `/proc/PID/ns/...` link's text, `net:[4026532008]`. */
export function linkInode(link: string | undefined): number {
  const m = /^[a-z_]+:\[(\d+)\]$/.exec(link ?? '');
  if (!m) throw new Error(`not a namespace link: ${link}`);
  return Number(m[1]);
}
