/**
 * Real container engines for tests: podman, Docker, containerd (with a
 * Kubernetes-style pod), LXC, systemd-nspawn and bubblewrap, started the
 * way /work/shared/CONTAINERS.md found to work on these machines (root,
 * cgroupfs, no network, images imported from a busybox rootfs built in a
 * temp dir, never pulled).
 *
 * Each container is described as its engine reports it (`podman inspect`,
 * `docker inspect`, `ctr task ls`, `lxc-info`, the argv we gave nspawn
 * and bwrap), never as graphns reads it, so tests can hold discovery
 * against the engines. Everything started is recorded at the moment it
 * exists and removed by id or PID in down(), also after a failed start;
 * an engine that cannot start here gives a skip reason (under CI=true a
 * failure) and the others still run. Every wait is for a state (a daemon
 * answering, a task running, a process gone) and ends early on one that
 * shows it will never come (the daemon exited); HANG_MS only ends a hang,
 * never a slow start on a loaded machine. Daemons already answering (another test's dockerd or
 * containerd) are used, never killed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HANG_MS, unmetNeed } from './need';
import { childrenOf, descendantNamed } from './proc';

/** The engines this harness brings up (the model's Engine names). */
export type TestEngine =
  'podman' | 'docker' | 'containerd' | 'kubernetes' | 'lxc' | 'nspawn' | 'bubblewrap';

/** One running container as its engine reports it. */
export interface EngineContainer {
  engine: TestEngine;
  /** The engine's id (LXC: the name; nspawn and bubblewrap have none: the name we gave). */
  id: string;
  /** The name the engine reports (nerdctl: the `nerdctl/name` label; nspawn/bwrap: the hostname). */
  name: string;
  /** The container's main process (init) as the engine reports it. */
  pid: number;
  /** Podman pod, or the Kubernetes pod (namespace + name) from the CRI annotations we set. */
  pod?: { name: string; namespace?: string; id?: string };
  /** A pod's infra or sandbox container. */
  sandbox?: boolean;
  /** Compose project label we set. */
  compose?: string;
  /** containerd namespace. */
  engineNamespace?: string;
}

/** Apt packages the engines come from (what .ci/run installs). */
export const ENGINE_PACKAGES = [
  'podman',
  'runc',
  'docker.io',
  'containerd',
  'lxc',
  'systemd-container',
  'bubblewrap',
  'busybox-static',
  // podman builds a pod's pause image around catatonit (only a Recommends)
  'catatonit',
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `fn` again while it fails with EBUSY, until HANG_MS: a container's
 * mount point (podman's userdata/shm) cannot be removed while it is a
 * mount point in another mount namespace, and a test running beside this
 * one may have copied the host's mounts into one (unshare -m) while the
 * container ran; the copy goes when that test's process ends.
 */
async function whileBusy<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!/resource busy/i.test((e as Error).message) || Date.now() > deadline) throw e;
      await sleep(250);
    }
  }
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
}

/** Run a command, resolve its stdout; reject with its stderr in the message (killed only when hung: HANG_MS). */
function run(argv: string[], opts: RunOptions = {}): Promise<string> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(
      cmd!,
      args,
      {
        env: opts.env ?? process.env,
        timeout: HANG_MS,
        maxBuffer: 16 << 20,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        if (err) {
          const why = String(stderr).trim().split('\n').slice(-3).join(' | ') || err.message;
          reject(new Error(`${argv.join(' ')}: ${why}`));
        } else resolve(String(stdout));
      },
    );
  });
}

const ok = (argv: string[], opts?: RunOptions) =>
  run(argv, opts).then(
    () => true,
    () => false,
  );

/** Poll `f` until it gives a value (`f` itself gives up early on a state that shows it never will); `ms` only ends a hang. */
async function until<T>(
  f: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = HANG_MS,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Which of the engine packages are missing (dpkg's answer). */
export async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const p of ENGINE_PACKAGES) if (!(await ok(['dpkg', '-s', p]))) missing.push(p);
  return missing;
}

/** Why the engines cannot run: packages missing (CI installs them in .ci/run), or undefined. */
async function packagesMissing(): Promise<string | undefined> {
  // a test does not install system packages (a docker.io on a developer's machine
  // is not ours to add); .ci/run installs them, and without them the engines skip
  const missing = await missingPackages();
  if (missing.length === 0) return undefined;
  return `not installed: ${missing.join(' ')} (apt-get install them; .ci/run does)`;
}

/**
 * A busybox root filesystem in `dir` (bin/busybox from busybox-static and
 * the links the tests run) and its tar; /usr exists because nspawn
 * refuses a tree without it.
 */
export function makeRootfs(dir: string): { dir: string; tar: Promise<string> } {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'etc', 'tmp', 'usr', 'run', 'var'])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const l of ['sh', 'sleep', 'cat', 'ls', 'hostname'])
    symlinkSync('busybox', join(root, 'bin', l));
  writeFileSync(join(root, 'etc/os-release'), 'ID=busybox\nNAME=busybox\n');
  const tar = join(dir, 'rootfs.tar');
  return {
    dir: root,
    tar: run(['tar', '--numeric-owner', '-C', root, '-cf', tar, '.']).then(() => tar),
  };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * An OCI image archive (image layout as a tar) of one layer, the rootfs
 * tar, named `ref` through containerd's `io.containerd.image.name`
 * annotation, so `ctr images import` needs neither Docker nor a registry.
 */
export async function makeOciArchive(dir: string, rootfsTar: string, ref: string): Promise<string> {
  const lay = join(dir, 'oci');
  const blobs = join(lay, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const layer = readFileSync(rootfsTar);
  const layerSha = sha256(layer);
  writeFileSync(join(blobs, layerSha), layer);
  const arch =
    (
      {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'arm',
        ia32: '386',
        s390x: 's390x',
        ppc64: 'ppc64le',
        riscv64: 'riscv64',
      } as Record<string, string>
    )[process.arch] ?? process.arch;
  const blob = (o: unknown) => {
    const s = JSON.stringify(o);
    const d = sha256(s);
    writeFileSync(join(blobs, d), s);
    return { digest: `sha256:${d}`, size: Buffer.byteLength(s) };
  };
  const config = blob({
    architecture: arch,
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerSha}`] },
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${layerSha}`,
        size: layer.length,
      },
    ],
  });
  writeFileSync(join(lay, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(lay, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: {
            'io.containerd.image.name': ref,
            'org.opencontainers.image.ref.name': ref.split(':').pop(),
          },
        },
      ],
    }),
  );
  const out = join(dir, 'oci-image.tar');
  await run(['tar', '-C', lay, '-cf', out, '.']);
  return out;
}

/** cgroup top-level directories the engines make (per hierarchy), removed after if they were not there before. */
function cgroupRoots(): string[] {
  try {
    const hs = readdirSync('/sys/fs/cgroup', { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join('/sys/fs/cgroup', e.name));
    // a pure v2 host: /sys/fs/cgroup itself is the hierarchy
    return hs.length > 0 ? hs : ['/sys/fs/cgroup'];
  } catch {
    return [];
  }
}

/** rmdir a cgroup tree bottom-up; a busy one (someone else's processes) stays. */
function rmCgroupTree(path: string): void {
  let entries: string[];
  try {
    entries = readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const e of entries) rmCgroupTree(join(path, e));
  try {
    rmdirSync(path);
  } catch {
    /* busy or gone */
  }
}

type Cleanup = { what: string; fn: () => Promise<unknown> };

/** One engine's part: what it started and how to take it down. */
interface EngineState {
  containers: EngineContainer[];
  skip?: string;
  ms: number;
  cleanups: Cleanup[];
}

/** The engine groups the harness can bring up. */
export type EngineGroup = 'podman' | 'docker' | 'containerd' | 'lxc' | 'nspawn' | 'bubblewrap';
export const ENGINE_GROUPS: readonly EngineGroup[] = [
  'podman',
  'docker',
  'containerd',
  'lxc',
  'nspawn',
  'bubblewrap',
];

const PODMAN = ['podman', '--runtime', 'runc', '--cgroup-manager=cgroupfs'];
// Debian's client; a newer one in /usr/local/bin may not speak to Debian's dockerd 20.10
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const CTR = ['ctr', '--address', '/run/containerd/containerd.sock'];

/** Names per engine given to the containers (a tag is appended when another test already uses one). */
const BASE = {
  podman: ['web1', 'side', 'mapped', 'cart'],
  podmanPod: 'shop-pod',
  docker: ['web', 'web-side'],
  containerd: 'api1',
  lxc: 'box1',
  nspawn: 'nspawn1',
  bubblewrap: 'bw1',
  k8sPod: { namespace: 'prod', name: 'cart-7d9f' },
} as const;

/** Held while a scene is up, by the process that has it (its PID inside). */
const SCENE_LOCK = '/run/graphns-test-engines.lock';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Wait for the machine's one engine scene (a state: the lock's owner lets
 * go, or is gone); a lock whose process ended is taken over.
 */
async function holdSceneLock(): Promise<void> {
  if (process.geteuid?.() !== 0) return; // no scene without root anyway
  for (;;) {
    try {
      mkdirSync(SCENE_LOCK);
      writeFileSync(join(SCENE_LOCK, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(join(SCENE_LOCK, 'pid'), 'utf8'));
    } catch {
      /* being written: its owner is alive */
    }
    if (owner === process.pid)
      throw new Error('Engines.up while this process has a scene: down() it first');
    if (owner > 0 && !alive(owner)) {
      rmSync(SCENE_LOCK, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function releaseSceneLock(): void {
  try {
    if (Number(readFileSync(join(SCENE_LOCK, 'pid'), 'utf8')) === process.pid)
      rmSync(SCENE_LOCK, { recursive: true, force: true });
  } catch {
    /* not held */
  }
}

/** Every engine's containers, up at once; down() removes exactly what up() made. */
export class Engines {
  readonly tmp: string;
  readonly tag = randomBytes(3).toString('hex');
  readonly #state = new Map<EngineGroup, EngineState>();
  #cgroupsBefore = new Set<string>();
  #rootfs?: { dir: string; tar: Promise<string> };
  #dockerDaemon: Promise<void> = Promise.resolve();
  #dockerChosen = () => {};
  #down = false;
  /** How long up() took, ms. */
  upMs = 0;

  private constructor() {
    this.tmp = mkdtempSync(join(tmpdir(), 'graphns-engines-'));
  }

  /** Start the given engines in parallel; never throws for one engine's trouble. */
  static async up(groups: readonly EngineGroup[] = ENGINE_GROUPS): Promise<Engines> {
    // one scene at a time on this machine: two test files' scenes would share a daemon
    // (one answering is used), and the one that started it stops it under the other
    await holdSceneLock();
    const e = new Engines();
    const t0 = Date.now();
    // a test run cut short still removes what it started, then dies of the signal
    const onSignal = (sig: NodeJS.Signals) =>
      void e.down().finally(() => process.kill(process.pid, sig));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    e.#onDown = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    let noPackages: string | undefined;
    if (process.geteuid?.() !== 0) noPackages = 'needs root to run container engines';
    else noPackages = await packagesMissing();
    if (noPackages === undefined && !existsSync('/bin/busybox'))
      noPackages = 'no /bin/busybox (busybox-static)';
    if (noPackages === undefined) {
      for (const h of cgroupRoots())
        for (const d of readdirSync(h)) e.#cgroupsBefore.add(join(h, d));
      e.#rootfs = makeRootfs(e.tmp);
    }
    if (groups.includes('docker'))
      e.#dockerDaemon = new Promise<void>((r) => (e.#dockerChosen = r));
    await Promise.all(
      groups.map(async (g) => {
        const st: EngineState = { containers: [], ms: 0, cleanups: [] };
        e.#state.set(g, st);
        const s = Date.now();
        if (noPackages !== undefined) {
          st.skip = noPackages;
          if (g === 'docker') e.#dockerChosen();
        } else {
          try {
            await e.#start(g, st);
          } catch (err) {
            st.skip = `${g} could not start here: ${(err as Error).message}`;
            await e.#cleanup(g, st);
          }
        }
        st.ms = Date.now() - s;
      }),
    );
    e.upMs = Date.now() - t0;
    return e;
  }

  #onDown = () => {};

  /**
   * Why an engine's cases must skip, or false when its containers run.
   * Under CI=true an engine that could not start fails the test that asks
   * instead (unmetNeed): a green CI must mean the containers were tested.
   */
  skip(g: EngineGroup): string | false {
    const st = this.#state.get(g);
    return unmetNeed(st ? st.skip : `${g} was not asked for`);
  }

  /** Containers of the engines that started. */
  get containers(): EngineContainer[] {
    return [...this.#state.values()].flatMap((s) => (s.skip ? [] : s.containers));
  }

  /** The containers one engine group started ([] when it skipped). */
  of(g: EngineGroup): EngineContainer[] {
    const st = this.#state.get(g);
    return st && !st.skip ? st.containers : [];
  }

  /** A container by the base name it was asked for (the engine may have been given a tagged name). */
  byBase(g: EngineGroup, base: string): EngineContainer | undefined {
    return this.of(g).find((c) => c.name === base || c.name === `${base}-${this.tag}`);
  }

  /** Per engine: how long its start took and whether it skipped. */
  timings(): string {
    return [...this.#state.entries()]
      .map(
        ([g, s]) =>
          `${g} ${s.ms} ms${s.skip ? ` (skipped: ${s.skip})` : ` (${s.containers.length} containers)`}`,
      )
      .join('; ');
  }

  /** Stop and remove everything up() started, by id and PID, then the cgroups and the temp dir. */
  async down(): Promise<string[]> {
    if (this.#down) return [];
    this.#down = true;
    this.#onDown();
    const errors: string[] = [];
    await Promise.all([...this.#state.entries()].map(([g, st]) => this.#cleanup(g, st, errors)));
    for (const h of cgroupRoots()) {
      let now: string[];
      try {
        now = readdirSync(h);
      } catch {
        continue;
      }
      for (const d of now) {
        const p = join(h, d);
        if (this.#cgroupsBefore.has(p)) continue;
        if (
          /^(libpod_parent|docker|demo|k8s\.io|kubepods|payload|supervisor|lxc\.pivot)$/.test(d) ||
          d.endsWith(`.${BASE.lxc}`) ||
          d.endsWith(`.${BASE.lxc}-${this.tag}`)
        )
          rmCgroupTree(p);
      }
    }
    rmSync(this.tmp, { recursive: true, force: true });
    releaseSceneLock();
    return errors;
  }

  async #cleanup(g: EngineGroup, st: EngineState, errors: string[] = []): Promise<void> {
    while (st.cleanups.length > 0) {
      const c = st.cleanups.pop()!;
      try {
        await c.fn();
      } catch (e) {
        errors.push(`${g}: ${c.what}: ${(e as Error).message}`);
      }
    }
  }

  #start(g: EngineGroup, st: EngineState): Promise<void> {
    switch (g) {
      case 'podman':
        return this.#podman(st);
      case 'docker':
        return this.#docker(st);
      case 'containerd':
        return this.#containerd(st);
      case 'lxc':
        return this.#lxc(st);
      case 'nspawn':
        return this.#nspawn(st);
      case 'bubblewrap':
        return this.#bubblewrap(st);
    }
  }

  /** `base`, or `base-<tag>` when `taken` has it (another test's container). */
  #name(base: string, taken: ReadonlySet<string>): string {
    return taken.has(base) ? `${base}-${this.tag}` : base;
  }

  // podman, rootful, runc and cgroupfs. The pod's infra container cannot
  // raise RLIMIT_NOFILE here, and `pod create` has no --ulimit in 4.3:
  // a containers.conf with default_ulimits covers it.
  async #podman(st: EngineState): Promise<void> {
    const conf = join(this.tmp, 'containers.conf');
    writeFileSync(
      conf,
      '[containers]\ndefault_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]\n',
    );
    const env = { ...process.env, CONTAINERS_CONF: conf };
    const P = (args: string[]) => run([...PODMAN, ...args], { env });
    const rootfs = await this.#rootfs!.tar;
    const image = `localhost/graphns-bb:${this.tag}`;
    await P(['import', '-q', rootfs, image]);
    st.cleanups.push({ what: `podman rmi ${image}`, fn: () => P(['rmi', '-f', image]) });
    const taken = new Set((await P(['ps', '-a', '--format', '{{.Names}}'])).split('\n'));
    const podsTaken = new Set((await P(['pod', 'ps', '--format', '{{.Name}}'])).split('\n'));
    const [web1, side, mapped, cart] = BASE.podman.map((b) => this.#name(b, taken));
    const common = ['run', '-d', '--ulimit', 'nofile=1024:20000', '--ulimit', 'nproc=1024:1024'];
    const start = async (name: string, args: string[], cmd: string) => {
      const id = (await P([...common, '--name', name, ...args, image, '/bin/sleep', cmd])).trim();
      st.cleanups.push({
        what: `podman rm ${name}`,
        fn: () => whileBusy(() => P(['rm', '-f', '-t', '0', id])),
      });
      return id;
    };
    const inspect = async (id: string) => {
      const [pid, name] = (await P(['inspect', '-f', '{{.State.Pid}} {{.Name}}', id]))
        .trim()
        .split(' ');
      return { pid: Number(pid), name: name! };
    };
    const web1Id = await start(web1!, ['--network', 'none'], '100000');
    const ids: { id: string; extra?: Partial<EngineContainer> }[] = [{ id: web1Id }];
    await Promise.all([
      start(side!, ['--network', `container:${web1Id}`], '100001').then((id) => ids.push({ id })),
      start(
        mapped!,
        ['--network', 'none', '--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'],
        '100002',
      ).then((id) => ids.push({ id })),
      // a pod (its infra container holds net, ipc, uts; the member joins them)
      (async () => {
        const podName = this.#name(BASE.podmanPod, podsTaken);
        let podId: string;
        // podman builds its pause image at the first pod; remove it after if it was not there
        const pauseBefore = new Set(
          (await P(['images', '-q', '--filter', 'reference=localhost/podman-pause']))
            .split('\n')
            .filter(Boolean),
        );
        st.cleanups.push({
          what: 'podman rmi podman-pause',
          fn: async () => {
            const now = (await P(['images', '-q', '--filter', 'reference=localhost/podman-pause']))
              .split('\n')
              .filter(Boolean);
            const made = now.filter((i) => !pauseBefore.has(i));
            if (made.length > 0) await P(['rmi', ...made]);
          },
        });
        try {
          podId = (await P(['pod', 'create', '--network', 'none', '--name', podName])).trim();
        } catch (e) {
          this.podSkip = `podman pod create failed here: ${(e as Error).message}`;
          return;
        }
        st.cleanups.push({
          what: `podman pod rm ${podName}`,
          fn: () => P(['pod', 'rm', '-f', '-t', '0', podId]),
        });
        try {
          const id = await start(cart!, ['--pod', podId], '100003');
          const infra = (await P(['pod', 'inspect', '-f', '{{.InfraContainerID}}', podId])).trim();
          const pod = { name: podName, id: podId };
          ids.push({ id, extra: { pod } });
          if (infra) ids.push({ id: infra, extra: { pod, sandbox: true } });
        } catch (e) {
          this.podSkip = `a podman pod cannot run here: ${(e as Error).message}`;
        }
      })(),
    ]);
    for (const { id, extra } of ids) {
      const { pid, name } = await inspect(id);
      if (!(pid > 0)) throw new Error(`podman inspect ${name}: no PID (${pid})`);
      st.containers.push({ engine: 'podman', id, name, pid, ...extra });
    }
  }

  /** Why the podman pod case skips (pods failed here), if it does. */
  podSkip?: string;

  // Docker: our own dockerd unless one answers already (then only our containers are ours).
  async #docker(st: EngineState): Promise<void> {
    const D = (args: string[]) => run([DOCKER, ...args]);
    const daemonUp = this.#dockerChosen;
    // a failed start must not hold containerd back either
    st.cleanups.push({ what: 'release containerd', fn: async () => daemonUp() });
    if (!(await ok([DOCKER, 'version']))) {
      if (existsSync('/var/run/docker.pid')) {
        const old = Number(readFileSync('/var/run/docker.pid', 'utf8'));
        if (old > 0 && pidAlive(old))
          throw new Error(`a dockerd (pid ${old}) runs but does not answer`);
      }
      const log = join(this.tmp, 'dockerd.log');
      const d = this.#daemon(
        [
          'dockerd',
          '--exec-opt',
          'native.cgroupdriver=cgroupfs',
          '--iptables=false',
          '--ip6tables=false',
          '--bridge=none',
          '-H',
          'unix:///var/run/docker.sock',
        ],
        log,
      );
      st.cleanups.push({ what: 'stop dockerd', fn: () => this.#stopDaemon(d, 'dockerd') });
      await until(
        async () =>
          (await ok([DOCKER, 'version'])) ? true : d.exitCode !== null ? false : undefined,
        'dockerd to answer',
      ).then((up) => {
        if (!up) throw new Error(`dockerd exited: ${tail(log)}`);
      });
    }
    daemonUp();
    const rootfs = await this.#rootfs!.tar;
    const image = `graphns-bb:${this.tag}`;
    await D(['import', rootfs, image]);
    st.cleanups.push({ what: `docker rmi ${image}`, fn: () => D(['rmi', '-f', image]) });
    const taken = new Set((await D(['ps', '-a', '--format', '{{.Names}}'])).split('\n'));
    const [web, webSide] = BASE.docker.map((b) => this.#name(b, taken));
    const start = async (name: string, args: string[], cmd: string) => {
      const id = (await D(['run', '-d', '--name', name, ...args, image, '/bin/sleep', cmd])).trim();
      st.cleanups.push({ what: `docker rm ${name}`, fn: () => D(['rm', '-f', id]) });
      return id;
    };
    const webId = await start(
      web!,
      ['--network', 'none', '--label', 'com.docker.compose.project=shop'],
      '100100',
    );
    const sideId = await start(webSide!, ['--network', `container:${webId}`], '100101');
    for (const [id, extra] of [
      [webId, { compose: 'shop' }],
      [sideId, {}],
    ] as const) {
      const [pid, name] = (await D(['inspect', '-f', '{{.State.Pid}} {{.Name}}', id]))
        .trim()
        .split(' ');
      // Docker reports names with a leading slash ("/web"); users know it as "web"
      st.containers.push({
        engine: 'docker',
        id,
        name: name!.replace(/^\//, ''),
        pid: Number(pid),
        ...extra,
      });
    }
  }

  // containerd with ctr: our own daemon at the default paths (discovery reads
  // /run/containerd), the CRI plugin off (no kubelet here; the pod is built
  // by hand with the annotations containerd's CRI plugin writes).
  async #containerd(st: EngineState): Promise<void> {
    // dockerd 20.10 uses the system containerd if one answers when it starts,
    // else its own; start ours after dockerd's choice so the layout is its own
    await this.#dockerDaemon;
    const C = (ns: string, args: string[]) => run([...CTR, '-n', ns, ...args]);
    if (!(await ok([...CTR, 'version']))) {
      const conf = join(this.tmp, 'containerd.toml');
      const def = await run(['containerd', 'config', 'default']);
      writeFileSync(
        conf,
        def.replace(
          /^disabled_plugins = \[\]/m,
          'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        ),
      );
      const log = join(this.tmp, 'containerd.log');
      const d = this.#daemon(['containerd', '--config', conf], log);
      st.cleanups.push({ what: 'stop containerd', fn: () => this.#stopDaemon(d, 'containerd') });
      await until(
        async () =>
          (await ok([...CTR, 'version'])) ? true : d.exitCode !== null ? false : undefined,
        'containerd to answer',
      ).then((up) => {
        if (!up) throw new Error(`containerd exited: ${tail(log)}`);
      });
    }
    const ref = `docker.io/library/graphns-bb:${this.tag}`;
    const archive = await makeOciArchive(this.tmp, await this.#rootfs!.tar, ref);
    const K8S = 'k8s.io';
    for (const ns of ['demo', K8S]) {
      await C(ns, ['images', 'import', archive]);
      st.cleanups.push({ what: `ctr -n ${ns} images rm`, fn: () => C(ns, ['images', 'rm', ref]) });
    }
    const taskRow = async (ns: string, id: string) =>
      (await C(ns, ['task', 'ls']))
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((r) => r[0] === id);
    const runTask = async (ns: string, id: string, args: string[], cmd: string) => {
      await C(ns, ['run', '-d', ...args, ref, id, '/bin/sleep', cmd]);
      st.cleanups.push({
        what: `ctr -n ${ns} remove ${id}`,
        fn: async () => {
          await C(ns, ['task', 'kill', '-s', 'SIGKILL', id]).catch(() => undefined);
          await until(
            async () => ((await taskRow(ns, id))?.[2] === 'RUNNING' ? undefined : true),
            `${id} to stop`,
          ).catch(() => undefined);
          await C(ns, ['task', 'delete', '-f', id]).catch(() => undefined);
          await C(ns, ['containers', 'rm', id]);
        },
      });
      return until(async () => {
        const row = await taskRow(ns, id);
        return row && row[2] === 'RUNNING' && Number(row[1]) > 0 ? Number(row[1]) : undefined;
      }, `ctr -n ${ns} task ${id}`);
    };
    const taken = new Set((await C('demo', ['containers', 'ls', '-q'])).split('\n'));
    const api1 = this.#name(BASE.containerd, taken);
    const k8s = async () => {
      // a Kubernetes pod as containerd's CRI plugin lays it out: a sandbox, and a
      // member joining its net, ipc and uts namespaces; annotations from
      // containerd pkg/cri/annotations/annotations.go, cgroups as kubelet's
      // cgroupfs driver names them (kubepods/besteffort/pod<uid>/<id>)
      const sandboxId = randomBytes(32).toString('hex');
      const memberId = randomBytes(32).toString('hex');
      const podUid = [8, 4, 4, 4, 12].map((n) => randomBytes(n / 2).toString('hex')).join('-');
      const pod = [
        '--label',
        `io.kubernetes.cri.sandbox-id=${sandboxId}`,
        '--label',
        `io.kubernetes.cri.sandbox-name=${BASE.k8sPod.name}`,
        '--label',
        `io.kubernetes.cri.sandbox-namespace=${BASE.k8sPod.namespace}`,
        '--label',
        `io.kubernetes.cri.sandbox-uid=${podUid}`,
      ];
      const cg = (id: string) => ['--cgroup', `/kubepods/besteffort/pod${podUid}/${id}`];
      const spid = await runTask(
        K8S,
        sandboxId,
        [
          ...cg(sandboxId),
          '--label',
          'io.kubernetes.cri.container-type=sandbox',
          '--label',
          'io.kubernetes.cri.image-name=registry.k8s.io/pause:3.6',
          ...pod,
        ],
        '100210',
      );
      const mpid = await runTask(
        K8S,
        memberId,
        [
          ...cg(memberId),
          '--with-ns',
          `network:/proc/${spid}/ns/net`,
          '--with-ns',
          `ipc:/proc/${spid}/ns/ipc`,
          '--with-ns',
          `uts:/proc/${spid}/ns/uts`,
          '--label',
          'io.kubernetes.cri.container-type=container',
          '--label',
          'io.kubernetes.cri.container-name=cart',
          '--label',
          `io.kubernetes.cri.image-name=${ref}`,
          ...pod,
        ],
        '100211',
      );
      const podRef = { ...BASE.k8sPod, id: podUid };
      st.containers.push(
        {
          engine: 'kubernetes',
          id: sandboxId,
          name: BASE.k8sPod.name,
          pid: spid,
          pod: podRef,
          sandbox: true,
          engineNamespace: K8S,
        },
        {
          engine: 'kubernetes',
          id: memberId,
          name: 'cart',
          pid: mpid,
          pod: podRef,
          engineNamespace: K8S,
        },
      );
    };
    const [apiPid] = await Promise.all([
      runTask(
        'demo',
        api1,
        ['--label', 'nerdctl/name=api', '--label', 'com.docker.compose.project=shop'],
        '100200',
      ),
      k8s(),
    ]);
    st.containers.unshift({
      engine: 'containerd',
      id: api1,
      name: 'api',
      pid: apiPid,
      compose: 'shop',
      engineNamespace: 'demo',
    });
  }

  // LXC from the busybox template; no lxcbr0 here, so no network
  async #lxc(st: EngineState): Promise<void> {
    const conf = join(this.tmp, 'lxc.conf');
    writeFileSync(conf, 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n');
    const taken = new Set((await run(['lxc-ls', '-1'])).split('\n'));
    const name = this.#name(BASE.lxc, taken);
    await run(['lxc-create', '-t', 'busybox', '-n', name, '-f', conf]);
    st.cleanups.push({ what: `lxc-destroy ${name}`, fn: () => run(['lxc-destroy', '-n', name]) });
    await run(['lxc-start', '-n', name, '-d']);
    st.cleanups.push({ what: `lxc-stop ${name}`, fn: () => run(['lxc-stop', '-n', name, '-k']) });
    const pid = await until(async () => {
      const p = Number((await run(['lxc-info', '-n', name, '-p', '-H']).catch(() => '')).trim());
      return p > 0 ? p : undefined;
    }, `lxc-info -p ${name}`);
    st.containers.push({ engine: 'lxc', id: name, name, pid });
  }

  // systemd-nspawn without machined (no systemd here): --register=no; the
  // payload's PID 1 is nspawn's stub init, our sleep runs as PID 2
  async #nspawn(st: EngineState): Promise<void> {
    const dir = join(this.tmp, 'nspawn-root');
    cpSync(this.#rootfs!.dir, dir, { recursive: true, verbatimSymlinks: true });
    const name = `${BASE.nspawn}`;
    const log = join(this.tmp, 'nspawn.log');
    const child = this.#daemon(
      [
        'systemd-nspawn',
        '-q',
        '-D',
        dir,
        '-M',
        name,
        '--register=no',
        '--keep-unit',
        '--console=pipe',
        '--as-pid2',
        '/bin/sleep',
        '100300',
      ],
      log,
    );
    st.cleanups.push({
      what: 'stop systemd-nspawn',
      fn: async () => {
        // killing the container's PID 1 ends its PID namespace; nspawn then exits
        const init = child.pid !== undefined ? childrenOf(child.pid)[0] : undefined;
        if (init) process.kill(init, 'SIGKILL');
        await this.#stopDaemon(child, 'systemd-nspawn');
      },
    });
    const pid = await until(
      () =>
        child.exitCode !== null ? -1 : child.pid ? descendantNamed(child.pid, 'sleep') : undefined,
      'the nspawn payload',
    );
    if (pid < 0) throw new Error(`systemd-nspawn exited: ${tail(log)}`);
    st.containers.push({ engine: 'nspawn', id: name, name, pid });
  }

  async #bubblewrap(st: EngineState): Promise<void> {
    const name = BASE.bubblewrap;
    const log = join(this.tmp, 'bwrap.log');
    const child = this.#daemon(
      [
        'bwrap',
        '--unshare-all',
        '--die-with-parent',
        '--ro-bind',
        this.#rootfs!.dir,
        '/',
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        '--hostname',
        name,
        '/bin/sleep',
        '100400',
      ],
      log,
    );
    st.cleanups.push({ what: 'stop bwrap', fn: () => this.#stopDaemon(child, 'bwrap', 'SIGKILL') });
    const pid = await until(
      () =>
        child.exitCode !== null ? -1 : child.pid ? descendantNamed(child.pid, 'sleep') : undefined,
      'the bwrap payload',
    );
    if (pid < 0) throw new Error(`bwrap exited: ${tail(log)}`);
    st.containers.push({ engine: 'bubblewrap', id: name, name, pid });
  }

  /** Spawn a long-running process with its output in `log`. */
  #daemon(argv: string[], log: string): ChildProcess {
    const [cmd, ...args] = argv;
    const fd = openSync(log, 'a');
    const child = spawn(cmd!, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined);
    return child;
  }

  /** TERM a process we spawned, and wait until it exited (KILL only when it hangs, after HANG_MS). */
  async #stopDaemon(
    child: ChildProcess,
    what: string,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    await exited;
    clearTimeout(t);
    void what;
  }
}

function tail(log: string): string {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
