/**
 * Integers the kernel writes into a buffer, read in the byte order of the
 * machine: ioctl results (uid_t, u64) are native-endian, so reading them
 * little-endian is wrong on s390x, mips and big-endian powerpc.
 */
import { endianness } from 'node:os';

/** A byte order, as os.endianness() names it. */
export type ByteOrder = 'LE' | 'BE';

/** This machine's byte order. */
export const NATIVE_ORDER: ByteOrder = endianness();

/** The unsigned 32-bit integer at `offset` of `buf` in byte order `order`. */
export function decodeUint32(buf: Buffer, order: ByteOrder, offset = 0): number {
  return order === 'LE' ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
}

/** The unsigned 64-bit integer at `offset` of `buf` in byte order `order`. */
export function decodeUint64(buf: Buffer, order: ByteOrder, offset = 0): bigint {
  return order === 'LE' ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
}
