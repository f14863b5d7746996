/**
 * What the find worker and the page say to each other (find-worker.ts,
 * find-client.ts), and the packing of a query's matches: at 50 000
 * namespaces a short query matches most of them, and 46 000 objects
 * cloned across would cost the page more than the search itself. So the
 * keys travel as one string, each match's kind and subject as one number
 * in a transferred array, and the subjects once each.
 */
import type { FindMatch, Subject } from '../main/emit/find';
import type { NsKey } from '../main/model/types';

/** To the worker: a model (its JSON, as the page got it) to search from now on, or a query. */
export type FindRequest =
  { gen: number; model: string } | { gen: number; id: number; query: string };

/** From the worker: a query's matches, packed, best first; or why there are none. */
export type FindReply =
  | { gen: number; id: number; keys: string; codes: Uint32Array; subjects: Subject[] }
  | { gen: number; id: number; error: string };

/** `matches` packed: keys joined by '\n', per match (subject index * 2 + own), subjects once. */
export function packMatches(matches: readonly FindMatch[]): {
  keys: string;
  codes: Uint32Array;
  subjects: Subject[];
} {
  const subjects: Subject[] = [];
  const index = new Map<Subject, number>();
  const codes = new Uint32Array(matches.length);
  matches.forEach((m, i) => {
    let s = index.get(m.subject);
    if (s === undefined) {
      s = subjects.length;
      subjects.push(m.subject);
      index.set(m.subject, s);
    }
    codes[i] = s * 2 + (m.kind === 'own' ? 1 : 0);
  });
  return { keys: matches.map((m) => m.key).join('\n'), codes, subjects };
}

/** Packed matches as the page reads them: keys, and each match made only when asked for. */
export interface PackedMatches {
  readonly keys: readonly NsKey[];
  match(i: number): FindMatch;
}

/** Read what packMatches made; one subject object per subject, as the index's own (matchWords compares them). */
export function unpackMatches(
  keys: string,
  codes: Uint32Array,
  subjects: Subject[],
): PackedMatches {
  const list = keys === '' ? [] : (keys.split('\n') as NsKey[]);
  return {
    keys: list,
    match: (i) => ({
      key: list[i]!,
      kind: codes[i]! & 1 ? 'own' : 'mention',
      subject: subjects[codes[i]! >>> 1]!,
    }),
  };
}
