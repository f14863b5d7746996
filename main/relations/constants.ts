/**
 * Namespace type constants and nsfs ioctl request numbers, from
 * <linux/sched.h> and <linux/nsfs.h>. Pure data and pure functions: the
 * architecture is passed in (model and emit import this module, so it may
 * not look at the process itself).
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

/**
 * How an architecture packs ioctl request numbers (the kernel's _IOC macro,
 * `<asm/ioctl.h>`): from the low bits up, 8 bits of number, 8 of type,
 * `sizeBits` of argument size, `dirBits` of direction. The direction values
 * differ too: asm-generic has no bit for "none", powerpc/mips/sparc/alpha do.
 */
export interface IocLayout {
  /** Name of the layout, after the kernel header that defines it. */
  readonly name: string;
  readonly sizeBits: number;
  readonly dirBits: number;
  /** _IOC_NONE, _IOC_READ, _IOC_WRITE. */
  readonly none: number;
  readonly read: number;
  readonly write: number;
}

/** The _IOC layouts Linux has (arch/{powerpc,mips,sparc,alpha,parisc}/include/uapi/asm/ioctl.h). */
export const IOC_LAYOUTS = {
  /** asm-generic/ioctl.h: x86, arm, arm64, riscv, s390, loongarch and most others. */
  generic: { name: 'asm-generic', sizeBits: 14, dirBits: 2, none: 0, write: 1, read: 2 },
  powerpc: { name: 'powerpc', sizeBits: 13, dirBits: 3, none: 1, read: 2, write: 4 },
  mips: { name: 'mips', sizeBits: 13, dirBits: 3, none: 1, read: 2, write: 4 },
  /** sparc: as powerpc (its _IOC_SIZE decoding differs, the encoding does not). */
  sparc: { name: 'sparc', sizeBits: 13, dirBits: 3, none: 1, read: 2, write: 4 },
  alpha: { name: 'alpha', sizeBits: 13, dirBits: 3, none: 1, read: 2, write: 4 },
  /** parisc: asm-generic sizes with READ and WRITE swapped. */
  parisc: { name: 'parisc', sizeBits: 14, dirBits: 2, none: 0, write: 2, read: 1 },
} as const satisfies Record<string, IocLayout>;

/**
 * The layout of each Node `process.arch` value. sparc, alpha and parisc are
 * no Node architectures; their layouts are above for completeness.
 */
export const ARCH_IOC_LAYOUTS: ReadonlyMap<string, IocLayout> = new Map<string, IocLayout>([
  ['x64', IOC_LAYOUTS.generic],
  ['ia32', IOC_LAYOUTS.generic],
  ['arm', IOC_LAYOUTS.generic],
  ['arm64', IOC_LAYOUTS.generic],
  ['riscv64', IOC_LAYOUTS.generic],
  ['loong64', IOC_LAYOUTS.generic],
  ['s390', IOC_LAYOUTS.generic],
  ['s390x', IOC_LAYOUTS.generic],
  ['ppc', IOC_LAYOUTS.powerpc],
  ['ppc64', IOC_LAYOUTS.powerpc],
  ['mips', IOC_LAYOUTS.mips],
  ['mipsel', IOC_LAYOUTS.mips],
]);

/**
 * The _IOC layout of a Node architecture (pass `process.arch`).
 * @throws Error naming the architecture when its layout is not known: a
 *   guessed request number could be another ioctl on an unknown layout.
 */
export function iocLayoutOf(arch: string): IocLayout {
  const layout = ARCH_IOC_LAYOUTS.get(arch);
  if (layout === undefined) {
    throw new Error(
      `graphns does not know how ioctl request numbers are encoded on architecture '${arch}' ` +
        `(process.arch); it supports ${[...ARCH_IOC_LAYOUTS.keys()].join(', ')}`,
    );
  }
  return layout;
}

/** The kernel's _IOC(dir, type, nr, size) in `layout`, as an unsigned 32-bit number. */
export function ioc(
  layout: IocLayout,
  dir: number,
  type: number,
  nr: number,
  size: number,
): number {
  const field = (what: string, value: number, bits: number): number => {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
      throw new RangeError(
        `ioctl ${what} ${String(value)} does not fit ${bits} bits (${layout.name})`,
      );
    }
    return value;
  };
  const sizeShift = 16;
  const dirShift = sizeShift + layout.sizeBits;
  return (
    (field('direction', dir, layout.dirBits) * 2 ** dirShift +
      field('size', size, layout.sizeBits) * 2 ** sizeShift +
      field('type', type, 8) * 2 ** 8 +
      field('number', nr, 8)) >>>
    0
  );
}

/** _IO(type, nr): no argument, or the argument is a plain value. */
export const io = (layout: IocLayout, type: number, nr: number): number =>
  ioc(layout, layout.none, type, nr, 0);
/** _IOR(type, nr, size): the kernel writes `size` bytes to the argument. */
export const ior = (layout: IocLayout, type: number, nr: number, size: number): number =>
  ioc(layout, layout.read, type, nr, size);
/** _IOW(type, nr, size): the kernel reads `size` bytes from the argument. */
export const iow = (layout: IocLayout, type: number, nr: number, size: number): number =>
  ioc(layout, layout.write, type, nr, size);
/** _IOWR(type, nr, size): both. */
export const iowr = (layout: IocLayout, type: number, nr: number, size: number): number =>
  ioc(layout, layout.read | layout.write, type, nr, size);

/** The nsfs ioctl request numbers graphns uses (<linux/nsfs.h>), for one layout. */
export interface NsIoctls {
  /** Open an fd for the user namespace owning a namespace (Linux 4.9+). */
  readonly NS_GET_USERNS: number;
  /** Open an fd for the parent of a user or PID namespace (Linux 4.9+). */
  readonly NS_GET_PARENT: number;
  /** The CLONE_NEW* type of a namespace (Linux 4.11+). */
  readonly NS_GET_NSTYPE: number;
  /** The uid that created a user namespace, into a uid_t (Linux 4.11+). */
  readonly NS_GET_OWNER_UID: number;
  /** The 64-bit namespace id, into a u64 (Linux 6.18+). */
  readonly NS_GET_ID: number;
}

const NSIO = 0xb7;

/** The nsfs request numbers encoded in `layout`. */
export function nsIoctls(layout: IocLayout): NsIoctls {
  return {
    NS_GET_USERNS: io(layout, NSIO, 0x1),
    NS_GET_PARENT: io(layout, NSIO, 0x2),
    NS_GET_NSTYPE: io(layout, NSIO, 0x3),
    // _IO although the kernel writes a uid_t: that is how nsfs.h defines it
    NS_GET_OWNER_UID: io(layout, NSIO, 0x4),
    NS_GET_ID: ior(layout, NSIO, 13, 8), // _IOR(NSIO, 13, __u64)
  };
}

/**
 * The nsfs request numbers of a Node architecture: `nsIoctlsFor(process.arch)`
 * gives this machine's. Code that issues the ioctls must use these, never
 * the asm-generic constants below.
 * @throws Error naming the architecture when its layout is not known.
 */
export function nsIoctlsFor(arch: string): NsIoctls {
  return nsIoctls(iocLayoutOf(arch));
}

const GENERIC = nsIoctls(IOC_LAYOUTS.generic);

// The seed's constants, kept for its API. They are the asm-generic encoding
// (x86, arm, riscv, s390, loongarch), wrong on powerpc and mips, and this
// module cannot know the arch without I/O: callers that issue ioctls use
// nsIoctlsFor(process.arch), as the relation functions do.

/** ioctl NS_GET_USERNS, asm-generic encoding (see nsIoctlsFor for this machine's). */
export const NS_GET_USERNS = GENERIC.NS_GET_USERNS;
/** ioctl NS_GET_PARENT, asm-generic encoding (see nsIoctlsFor for this machine's). */
export const NS_GET_PARENT = GENERIC.NS_GET_PARENT;
/** ioctl NS_GET_NSTYPE, asm-generic encoding (see nsIoctlsFor for this machine's). */
export const NS_GET_NSTYPE = GENERIC.NS_GET_NSTYPE;
/** ioctl NS_GET_OWNER_UID, asm-generic encoding (see nsIoctlsFor for this machine's). */
export const NS_GET_OWNER_UID = GENERIC.NS_GET_OWNER_UID;
/** ioctl NS_GET_ID, asm-generic encoding (see nsIoctlsFor for this machine's). */
export const NS_GET_ID = GENERIC.NS_GET_ID;

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
