/**
 * The one order of namespaces: by type in lsns's order (NS_TYPES), then by
 * inode. The model lists them so, and every presentation (trees, DOT, find
 * matches, filters) orders what it shows the same way, whatever order a
 * snapshot from elsewhere lists them in.
 */
import { NS_TYPES } from '../relations/constants';
import type { Namespace, NsTypeName } from './types';

/** Each type's place in lsns's order. */
const TYPE_RANK: ReadonlyMap<NsTypeName, number> = new Map(NS_TYPES.map((t, i) => [t, i]));

/** The flat namespace types (neither user nor PID: they have no parent), in lsns's order. */
export const FLAT_TYPES: readonly NsTypeName[] = NS_TYPES.filter(
  (t) => t !== 'user' && t !== 'pid',
);

/** Compare two namespaces by type (lsns's order), then inode. */
export function byTypeThenIno(
  a: Pick<Namespace, 'type' | 'ino'>,
  b: Pick<Namespace, 'type' | 'ino'>,
): number {
  return TYPE_RANK.get(a.type)! - TYPE_RANK.get(b.type)! || a.ino - b.ino;
}

/**
 * The same order as one number, for namespaces the kernel numbered (nsfs
 * inodes are 32-bit, so type and inode fit in a double exactly): discovery
 * computes it once per namespace instead of comparing types at every
 * comparison. A snapshot may hold any inode: sort those with byTypeThenIno.
 */
export function orderKey(ns: Pick<Namespace, 'type' | 'ino'>): number {
  return TYPE_RANK.get(ns.type)! * 2 ** 32 + ns.ino;
}

/** `namespaces` sorted by type, then inode (a new array; the given one is left as it is). */
export function sortedNamespaces<T extends Pick<Namespace, 'type' | 'ino'>>(
  namespaces: readonly T[],
): T[] {
  return [...namespaces].sort(byTypeThenIno);
}
