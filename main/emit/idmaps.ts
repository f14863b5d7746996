/**
 * Who is root where, in words: a user namespace's uid and gid maps and a
 * process's capabilities, as lsuserns -d, the DOT labels and the viewer's
 * details panel say them. Pure; no string here comes from the system but
 * numbers and the kernel's capability names.
 *
 *   maps uid/gid 0-65535 -> 100000-165535      (lsuserns -d, after the owner; details)
 *   uid 0 -> 1000, 1-65536 -> 100000-165535; gid 0 -> 1000
 *   uid/gid all (identity)                     (0 0 4294967295: the initial namespace's)
 *   uid map 0-65535 -> 100000                  (DOT label: the first range's start)
 */
import { capSet, INITIAL_USER_NS, isIdentityMap, KNOWN_LAST_CAP } from '../model/capabilities';
import type { IdRange, Namespace } from '../model/types';

/** What the kernel prints for an outside id with no mapping in the reader's namespace ((u32)-1). */
const UNMAPPED = 4294967295;

/** Ranges a line names before counting the rest. */
const RANGES_SHOWN = 3;

/** `a-b` for a range of ids, `a` for one. */
function span(first: number, count: number): string {
  return count === 1 ? String(first) : `${first}-${first + count - 1}`;
}

/** One range: `0-65535 -> 100000-165535`, `0 -> 1000`; an outside id the scanner cannot map: `-> unmapped`. */
export function rangeText(r: IdRange): string {
  const outside = r.outside === UNMAPPED ? 'unmapped' : span(r.outside, r.count);
  return `${span(r.inside, r.count)} -> ${outside}`;
}

/**
 * A whole map: its ranges (the first RANGES_SHOWN, then `+N more`), `all
 * (identity)` for the whole id space mapped onto itself, `none written
 * yet` for an empty one (every id inside is then the overflow id).
 */
export function mapText(map: readonly IdRange[]): string {
  if (map.length === 0) return 'none written yet';
  if (isIdentityMap(map)) return 'all (identity)';
  const shown = map.slice(0, RANGES_SHOWN).map(rangeText);
  if (map.length > RANGES_SHOWN) shown.push(`+${map.length - RANGES_SHOWN} more`);
  return shown.join(', ');
}

const sameMap = (a: readonly IdRange[], b: readonly IdRange[]): boolean =>
  a.length === b.length &&
  a.every(
    (r, i) => r.inside === b[i]!.inside && r.outside === b[i]!.outside && r.count === b[i]!.count,
  );

/**
 * Both maps of a user namespace in one line (lsuserns -d): `uid/gid …`
 * when they are the same, else `uid …; gid …`; undefined when the model
 * has neither (see mapsUnknown).
 */
export function mapsLine(ns: Namespace): string | undefined {
  const { uidMap, gidMap } = ns;
  if (uidMap && gidMap && sameMap(uidMap, gidMap)) return `uid/gid ${mapText(uidMap)}`;
  const parts = [
    ...(uidMap ? [`uid ${mapText(uidMap)}`] : []),
    ...(gidMap ? [`gid ${mapText(gidMap)}`] : []),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Why a user namespace's maps are not in the model: `not read` (a process
 * is in it: unreadable, or a snapshot before format 7) or `unknown (no
 * process inside)` (the kernel shows a map only through a task inside).
 */
export function mapsUnknown(ns: Namespace): string {
  return ns.pids.length > 0 || ns.tasks.length > 0 ? 'not read' : 'unknown (no process inside)';
}

/**
 * The short line a user namespace's DOT label gets: its uid map's first
 * range and where it starts outside (`uid map 0-65535 -> 100000`, `+N`
 * more ranges), `uid map none yet` for an empty map. Undefined where no
 * map is known, and for the initial namespace's identity map (the host's
 * own ids, no news).
 */
export function dotMapText(ns: Namespace): string | undefined {
  const map = ns.uidMap;
  if (!map) return undefined;
  if (isIdentityMap(map) && (ns.key === INITIAL_USER_NS || ns.parent === undefined))
    return undefined;
  if (map.length === 0) return 'uid map none yet';
  if (isIdentityMap(map)) return 'uid map all (identity)';
  const r = map[0]!;
  const outside = r.outside === UNMAPPED ? 'unmapped' : String(r.outside);
  const rest = map.length > 1 ? ` +${map.length - 1}` : '';
  return `uid map ${span(r.inside, r.count)} -> ${outside}${rest}`;
}

/**
 * A capability set in few words: `none`, `all` (the full set of a kernel
 * whose last capability is `lastCap`), `all but cap_x, cap_y`, else the
 * names; `not known` without a mask (a snapshot before format 7).
 */
export function capsText(mask: string | undefined, lastCap: number = KNOWN_LAST_CAP): string {
  const [head, ...names] = capsLines(mask, lastCap);
  return head === 'all but' ? `all but ${names.join(', ')}` : [head, ...names].join(', ');
}

/**
 * capsText's words as lines, for a narrow column: `['all']`, `['none']`,
 * `['all but', 'cap_x', …]`, or a name a line.
 */
export function capsLines(mask: string | undefined, lastCap: number = KNOWN_LAST_CAP): string[] {
  if (mask === undefined) return ['not known'];
  const set = capSet(mask, lastCap);
  switch (set.kind) {
    case 'none':
      return ['none'];
    case 'all':
      return ['all'];
    case 'all-but':
      return ['all but', ...set.missing];
    case 'some':
      return set.names;
  }
}
