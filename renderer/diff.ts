/**
 * What changed between two scans, for live refresh: which namespaces are
 * new, which vanished (and what they were, since the new model no longer
 * knows), and whether anything changed at all once the scan time, which
 * differs on every scan, is left out.
 */
import { dotText } from '../main/emit/dot';
import { containerName } from '../main/emit/containers';
import { holderOf, nsId, type Holder } from '../main/emit/holder';
import type { ModelGraph } from '../main/model/graph';
import type { NsKey } from '../main/model/types';

/** A namespace that is gone, described from the model that still had it. */
export interface Vanished {
  key: NsKey;
  /** `net:[4026532301]` */
  id: string;
  /** What it was: its label process, container, or how it was held (raw system text: escape to show). */
  was: string;
}

/** New and vanished namespaces from one model to the next. */
export interface ModelDiff {
  added: NsKey[];
  vanished: Vanished[];
}

/** What held a namespace, in the notice's words (the one holder order: main/emit/holder.ts). */
function holderWords(h: Holder): string {
  switch (h.kind) {
    case 'process':
      return `${h.name ?? ''} (${h.pid})`;
    case 'thread':
      return `thread ${h.tid}`;
    case 'fd':
      return `fd ${h.fd} of ${h.pid}`;
    case 'mount':
      return `bind mount ${h.mount.path}`;
    default:
      return 'no process';
  }
}

/** How the previous model knew a namespace, in a few words. */
function describe(g: ModelGraph, key: NsKey): string {
  const ns = g.byKey.get(key)!;
  const parts = [holderWords(holderOf(g, ns))];
  const cs = g.containersOf(key);
  if (cs.length > 0) parts.push(`container ${cs.map(containerName).join(', ')}`);
  return parts.join(', ');
}

/** Namespaces in `after` but not `before`, and those in `before` but not `after`. */
export function diffModels(before: ModelGraph, after: ModelGraph): ModelDiff {
  const added = after.model.namespaces.filter((n) => !before.byKey.has(n.key)).map((n) => n.key);
  const vanished = before.model.namespaces
    .filter((n) => !after.byKey.has(n.key))
    .map((n) => ({ key: n.key, id: nsId(n), was: describe(before, n.key) }));
  return { added, vanished };
}

/**
 * Whether `a` with the span [a0, a1) cut out equals `b` with [b0, b1) cut
 * out. The parts are compared where they lie: a slice of a flat string is a
 * view, while joining the two parts would copy megabytes (30 ms of a
 * refresh check at 5000 namespaces, for each text).
 */
function sameBut(a: string, [a0, a1]: Span, b: string, [b0, b1]: Span): boolean {
  return (
    a.length - (a1 - a0) === b.length - (b1 - b0) &&
    a0 === b0 &&
    a.slice(0, a0) === b.slice(0, b0) &&
    a.slice(a1) === b.slice(b1)
  );
}

type Span = [start: number, end: number];

/** Where the first `part` lies in `text` (an empty span at the end if nowhere). */
function spanOf(text: string, part: string): Span {
  const i = text.indexOf(part);
  return i < 0 ? [text.length, text.length] : [i, i + part.length];
}

/**
 * Where a model JSON's host scan time lies: the first `"time":"…"` member,
 * from its key to its closing quote (exclusive end). The host object comes
 * first (serializeModel), and no other object of the model has a `time`
 * member; nor can the text appear inside a string value, where every quote
 * is escaped.
 */
function timeSpan(json: string): Span {
  const key = '"time":"';
  const at = json.indexOf(key);
  if (at < 0) return [json.length, json.length];
  let i = at + key.length;
  while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
  return [at, i + 1];
}

/**
 * Whether two scans found the same, apart from their scan time: their
 * model JSON compared as text with the time taken out, before parsing
 * either (a refresh that finds nothing new costs a string comparison).
 */
export function sameScan(a: string, b: string): boolean {
  // the time's length is the same in every scan: a length mismatch is a change
  return a.length === b.length && sameBut(a, timeSpan(a), b, timeSpan(b));
}

/**
 * Whether two DOT texts draw the same picture, apart from the scan time in
 * the legend (the graph label: the first place the time appears).
 */
export function sameDrawing(
  a: { dot: string; time: string },
  b: { dot: string; time: string },
): boolean {
  return sameBut(a.dot, spanOf(a.dot, dotText(a.time)), b.dot, spanOf(b.dot, dotText(b.time)));
}
