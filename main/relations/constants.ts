/**
 * Namespace type constants and nsfs ioctl request numbers, from
 * <linux/sched.h> and <linux/nsfs.h>. Pure data.
 */

/** Mount namespace (`mnt`). */
export const CLONE_NEWNS = 0x00020000;
/** Cgroup namespace (`cgroup`). */
export const CLONE_NEWCGROUP = 0x02000000;
/** UTS (host and domain name) namespace (`uts`). */
export const CLONE_NEWUTS = 0x04000000;
/** IPC namespace (`ipc`). */
export const CLONE_NEWIPC = 0x08000000;
/** User namespace (`user`). */
export const CLONE_NEWUSER = 0x10000000;
/** PID namespace (`pid`). */
export const CLONE_NEWPID = 0x20000000;
/** Network namespace (`net`). */
export const CLONE_NEWNET = 0x40000000;
/** Time namespace (`time`, Linux 5.6+). The seed lacked it. */
export const CLONE_NEWTIME = 0x00000080;

/** The lsns names of the namespace types, in lsns's order. */
export type NsTypeName = 'mnt' | 'cgroup' | 'uts' | 'ipc' | 'user' | 'pid' | 'net' | 'time';

/** Map from CLONE_NEW* value to its lsns name (`mnt cgroup uts ipc user pid net time`). */
export const NS_TYPE_NAMES: ReadonlyMap<number, NsTypeName> = new Map<number, NsTypeName>([
  [CLONE_NEWNS, 'mnt'],
  [CLONE_NEWCGROUP, 'cgroup'],
  [CLONE_NEWUTS, 'uts'],
  [CLONE_NEWIPC, 'ipc'],
  [CLONE_NEWUSER, 'user'],
  [CLONE_NEWPID, 'pid'],
  [CLONE_NEWNET, 'net'],
  [CLONE_NEWTIME, 'time'],
]);

/** Every namespace type name, in lsns's order. */
export const NS_TYPES: readonly NsTypeName[] = [...NS_TYPE_NAMES.values()];

/** Map from lsns name to its CLONE_NEW* value. */
export const NS_TYPE_VALUES: ReadonlyMap<NsTypeName, number> = new Map(
  [...NS_TYPE_NAMES].map(([value, name]) => [name, value]),
);

const NSIO = 0xb7;
const ioc = (dir: number, nr: number, size: number): number =>
  ((dir << 30) | (size << 16) | (NSIO << 8) | nr) >>> 0;

/** ioctl: open an fd for the user namespace owning a namespace. */
export const NS_GET_USERNS = ioc(0, 0x1, 0);
/** ioctl: open an fd for the parent of a user or PID namespace. */
export const NS_GET_PARENT = ioc(0, 0x2, 0);
/** ioctl: the CLONE_NEW* type of a namespace (Linux 4.11+). */
export const NS_GET_NSTYPE = ioc(0, 0x3, 0);
/** ioctl: the uid that created a user namespace, into a uid_t (Linux 4.11+). */
export const NS_GET_OWNER_UID = ioc(0, 0x4, 0);
/** ioctl: the 64-bit namespace id, into a u64 (_IOR(0xb7, 13, __u64); Linux 6.18+). */
export const NS_GET_ID = ioc(2, 13, 8);

/**
 * The lsns name of a CLONE_NEW* value.
 * @throws RangeError for any value that is not exactly one namespace type.
 */
export function nsTypeName(type: number): NsTypeName {
  const name = NS_TYPE_NAMES.get(type);
  if (name === undefined) {
    throw new RangeError(`not a namespace type: ${String(type)}`);
  }
  return name;
}
