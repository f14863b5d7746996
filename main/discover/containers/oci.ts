/**
 * What the OCI engines share: JSON state files read without trusting
 * them, a bundle's `config.json` annotations, runc's `state.json`
 * `config.labels` (every annotation as `key=value`, plus `bundle=<dir>`),
 * and what the well-known annotations and labels say (Kubernetes through
 * containerd's CRI plugin or CRI-O, nerdctl's name, compose project).
 */
import type { Container, Engine, PodRef } from '../../model/types';
import type { ScanContext } from './source';

/** A string map from untrusted JSON: non-string values are dropped. */
export type StringMap = Record<string, string>;

/**
 * A JSON state file, or undefined (missing, unusable, or not JSON: the
 * last gets a warning). The parser's own message is not used: it quotes
 * the file's first bytes, and a state file may be a link to anything.
 */
export function readJson(
  ctx: ScanContext,
  path: string,
  maxBytes?: number,
  owner?: number,
): unknown {
  const text = ctx.readText(path, maxBytes, owner);
  if (text === undefined) return undefined;
  if (!nestedWithin(text, MAX_JSON_DEPTH)) {
    ctx.warn(`cannot read ${path}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.warn(`cannot read ${path}: not valid JSON`);
    return undefined;
  }
}

/**
 * How deep an engine's JSON may nest. Theirs nest a few levels; a planted
 * file of 64 MiB of brackets took JSON.parse 51 s and 3.3 GB.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `text`'s arrays and objects nest at most `max` deep (strings skipped), in one pass. */
export function nestedWithin(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, over escapes
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return false;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return true;
}

/** obj[key] when obj is an object, else undefined. */
export function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/** The string-valued entries of an object (a label map), or undefined. */
export function stringMap(obj: unknown): StringMap | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const out: StringMap = Object.create(null) as StringMap;
  for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A non-empty string, or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** A bundle's config.json annotations (OCI runtime spec `annotations`). */
export function bundleAnnotations(ctx: ScanContext, bundleDir: string): StringMap | undefined {
  return stringMap(field(readJson(ctx, `${bundleDir}/config.json`), 'annotations'));
}

/**
 * runc's state.json `config.labels`: `key=value` strings (split at the
 * first '='; the value may hold more), where runc keeps the annotations.
 */
export function stateLabels(ctx: ScanContext, stateDir: string): StringMap | undefined {
  const labels = field(field(readJson(ctx, `${stateDir}/state.json`), 'config'), 'labels');
  if (!Array.isArray(labels)) return undefined;
  const out: StringMap = Object.create(null) as StringMap;
  for (const l of labels) {
    if (typeof l !== 'string') continue;
    const eq = l.indexOf('=');
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

/** What annotations (or labels) say about a container. */
export type Described = Partial<Pick<Container, 'name' | 'pod' | 'sandbox' | 'compose'>> & {
  /** The engine the annotations prove (a CRI pod member), when they do. */
  engine?: Engine;
};

// containerd pkg/cri/annotations/annotations.go
const CRI = 'io.kubernetes.cri.';
// cri-o pkg/annotations/internal.go; the kubelet's labels (pkg/kubelet/types/labels.go),
// which CRI-O also writes as annotations and in its Labels JSON, and dockershim as labels
const CRIO = 'io.kubernetes.cri-o.';
const KUBELET_POD = 'io.kubernetes.pod.name';
const KUBELET_NS = 'io.kubernetes.pod.namespace';
const KUBELET_UID = 'io.kubernetes.pod.uid';
const KUBELET_CONTAINER = 'io.kubernetes.container.name';

function pod(name?: string, namespace?: string, id?: string): PodRef | undefined {
  const shown = name ?? id;
  if (shown === undefined) return undefined;
  return {
    kind: 'kubernetes',
    name: shown,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(id !== undefined ? { id } : {}),
  };
}

/** Interpret the annotations and labels the engines and their tools write. */
export function describe(a: StringMap): Described {
  const d: Described = {};
  const type = str(a[`${CRI}container-type`]);
  const crioType = str(a[`${CRIO}ContainerType`]);
  if (type !== undefined) {
    d.engine = 'kubernetes';
    d.sandbox = type === 'sandbox';
    const p = pod(
      str(a[`${CRI}sandbox-name`]),
      str(a[`${CRI}sandbox-namespace`]),
      str(a[`${CRI}sandbox-uid`]),
    );
    if (p) d.pod = p;
    // a sandbox's own name is its pod's (what `crictl pods` shows); a workload has its own
    const name = d.sandbox ? str(a[`${CRI}sandbox-name`]) : str(a[`${CRI}container-name`]);
    if (name !== undefined) d.name = name;
  } else if (crioType !== undefined) {
    d.engine = 'cri-o';
    d.sandbox = crioType === 'sandbox';
    let labels: StringMap = Object.create(null) as StringMap;
    const json = a[`${CRIO}Labels`];
    if (json !== undefined) {
      try {
        labels = stringMap(JSON.parse(json)) ?? labels;
      } catch {
        // a bad Labels annotation costs only what it would have told
      }
    }
    const get = (k: string) => str(a[k]) ?? str(labels[k]);
    const p = pod(
      get(KUBELET_POD) ?? str(a[`${CRIO}KubeName`]),
      get(KUBELET_NS) ?? str(a[`${CRIO}Namespace`]),
      get(KUBELET_UID),
    );
    if (p) d.pod = p;
    const name = d.sandbox
      ? (get(KUBELET_POD) ?? str(a[`${CRIO}KubeName`]))
      : get(KUBELET_CONTAINER);
    if (name !== undefined) d.name = name;
  } else if (str(a[KUBELET_POD]) !== undefined) {
    // dockershim: the kubelet's labels on a Docker container
    const name = str(a[KUBELET_CONTAINER]);
    if (name !== undefined && name !== 'POD') d.name = name;
    if (a['io.kubernetes.docker.type'] === 'podsandbox') d.sandbox = true;
    d.pod = pod(str(a[KUBELET_POD]), str(a[KUBELET_NS]), str(a[KUBELET_UID]));
  }
  const nerdctl = str(a['nerdctl/name']);
  if (nerdctl !== undefined && d.name === undefined) d.name = nerdctl;
  const project = str(a['com.docker.compose.project']);
  if (project !== undefined) {
    const service = str(a['com.docker.compose.service']);
    d.compose = { project, ...(service !== undefined ? { service } : {}) };
  }
  return d;
}

/** Group claimed processes by a key (a container id), keeping PID order. */
export function groupBy<T>(
  items: readonly T[],
  key: (t: T) => string | undefined,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/**
 * The value of option `short`/`long` in an argv (`-n x`, `--name x`,
 * `--name=x`), the first one; undefined when absent.
 */
export function option(argv: readonly string[], short: string, long: string): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === short || a === long) return argv[i + 1];
    if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
  }
  return undefined;
}

/**
 * The parent outside the container of its processes: the supervisor that
 * started it (conmon, containerd-shim). Only a process that really is the
 * parent of a container's process is asked about that container, so
 * another user's process calling itself `conmon -c <id> -n evil` names
 * nothing.
 */
export function supervisors(pids: readonly number[], ppidOf: (pid: number) => number): number[] {
  const inside = new Set(pids);
  const out = new Set<number>();
  for (const pid of pids) {
    const ppid = ppidOf(pid);
    if (!inside.has(ppid) && ppid > 0) out.add(ppid);
  }
  return [...out];
}

/** argv[0]'s file name. */
export const command = (argv: readonly string[] | undefined): string =>
  (argv?.[0] ?? '').replace(/^.*\//, '');
