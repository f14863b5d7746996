/**
 * Capability sets as the kernel prints them in /proc/PID/status (CapEff,
 * CapPrm, CapBnd: `%016llx`, bit N is capability N) and the names it
 * gives them, and who holds capabilities where.
 *
 * A process's capabilities hold in its own user namespace and in the
 * namespaces below it, never above: only a process in the initial user
 * namespace can have a capability in the host's. Pure.
 */
import type { IdRange, NsKey, Process } from './types';

/**
 * The kernel's capability names by number (include/uapi/linux/capability.h,
 * as libcap's `cap_to_name` and capsh print them), up to CAP_LAST_CAP of
 * Linux 5.9 to 6.18 (40, CAP_CHECKPOINT_RESTORE). A bit beyond is `cap_N`.
 */
export const CAP_NAMES: readonly string[] = [
  'cap_chown',
  'cap_dac_override',
  'cap_dac_read_search',
  'cap_fowner',
  'cap_fsetid',
  'cap_kill',
  'cap_setgid',
  'cap_setuid',
  'cap_setpcap',
  'cap_linux_immutable',
  'cap_net_bind_service',
  'cap_net_broadcast',
  'cap_net_admin',
  'cap_net_raw',
  'cap_ipc_lock',
  'cap_ipc_owner',
  'cap_sys_module',
  'cap_sys_rawio',
  'cap_sys_chroot',
  'cap_sys_ptrace',
  'cap_sys_pacct',
  'cap_sys_admin',
  'cap_sys_boot',
  'cap_sys_nice',
  'cap_sys_resource',
  'cap_sys_time',
  'cap_sys_tty_config',
  'cap_mknod',
  'cap_lease',
  'cap_audit_write',
  'cap_audit_control',
  'cap_setfcap',
  'cap_mac_override',
  'cap_mac_admin',
  'cap_syslog',
  'cap_wake_alarm',
  'cap_block_suspend',
  'cap_audit_read',
  'cap_perfmon',
  'cap_bpf',
  'cap_checkpoint_restore',
];

/** The last capability this table names: a full set without `host.capLastCap` ends here. */
export const KNOWN_LAST_CAP = CAP_NAMES.length - 1;

/** A capability set as the model keeps it: the kernel's 16 lowercase hex digits. */
export const CAP_MASK_RE = /^[0-9a-f]{16}$/;

/**
 * The key of the initial ("host's") user namespace: the kernel gives it
 * the fixed inode PROC_USER_INIT_INO (0xEFFFFFFD) since Linux 3.8.
 */
export const INITIAL_USER_NS: NsKey = 'user:4026531837';

/** The name of capability `bit`: the kernel's, or `cap_N` for one this table does not know. */
export function capName(bit: number): string {
  return CAP_NAMES[bit] ?? `cap_${bit}`;
}

/** The bits set in `mask` (16 hex digits), ascending. */
export function capBits(mask: string): number[] {
  const bits: number[] = [];
  // two 32-bit halves: a JavaScript number holds 53 bits, bitwise operators 32
  const halves = [Number.parseInt(mask.slice(8), 16), Number.parseInt(mask.slice(0, 8), 16)];
  halves.forEach((half, h) => {
    for (let b = 0; b < 32; b++) if ((half >>> b) & 1) bits.push(h * 32 + b);
  });
  return bits;
}

/** The names of the capabilities in `mask`, in the kernel's order. */
export function capNames(mask: string): string[] {
  return capBits(mask).map(capName);
}

/** How much of the full set (bits 0 to `lastCap`) a mask holds. */
export interface CapSet {
  /** `none`; `all` (exactly the full set); `all-but` (the full set less `missing`); `some` (`names`). */
  kind: 'none' | 'all' | 'all-but' | 'some';
  /** The capabilities held, by name. */
  names: string[];
  /** For `all-but`: the capabilities of the full set not held. */
  missing: string[];
}

/** At most this many left out of the full set is said as `all but …`. */
const ALL_BUT_MAX = 6;

/**
 * What `mask` holds against the full set of a kernel whose last
 * capability is `lastCap` (its /proc/sys/kernel/cap_last_cap).
 */
export function capSet(mask: string, lastCap: number = KNOWN_LAST_CAP): CapSet {
  const bits = capBits(mask);
  const names = bits.map(capName);
  if (bits.length === 0) return { kind: 'none', names, missing: [] };
  const beyond = bits.some((b) => b > lastCap);
  const missing: string[] = [];
  const held = new Set(bits);
  for (let b = 0; b <= lastCap; b++) if (!held.has(b)) missing.push(capName(b));
  if (beyond) return { kind: 'some', names, missing: [] };
  if (missing.length === 0) return { kind: 'all', names, missing };
  if (missing.length <= ALL_BUT_MAX && missing.length < bits.length)
    return { kind: 'all-but', names, missing };
  return { kind: 'some', names, missing: [] };
}

/** Whether `mask` holds any capability (a missing mask: not known to). */
export function hasCaps(mask: string | undefined): boolean {
  return mask !== undefined && /[1-9a-f]/.test(mask);
}

/**
 * Whether `p` holds capabilities in the host's (initial) user namespace:
 * it sits in that namespace and its effective set is not empty.
 */
export function hasHostCaps(p: Pick<Process, 'ns' | 'capEff'>): boolean {
  return p.ns.user === INITIAL_USER_NS && hasCaps(p.capEff);
}

/** Whether `map` is the whole 32-bit id space mapped onto itself (`0 0 4294967295`, the initial namespace's). */
export function isIdentityMap(map: readonly IdRange[] | undefined): boolean {
  return (
    map !== undefined &&
    map.length === 1 &&
    map[0]!.inside === 0 &&
    map[0]!.outside === 0 &&
    map[0]!.count === 4294967295
  );
}
