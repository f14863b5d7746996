/**
 * native-shim: typed wrappers over the few libc calls graphns needs.
 * Depends on nothing of the project; everything else builds on it.
 */
export {
  ioctl,
  ioctlBuffer,
  ioctlUint32,
  ioctlUint64,
  readlinkLatin1,
  recv,
  send,
  setns,
  socket,
  userHome,
  userName,
} from './libc';
export { systemError, hasCode, type SystemError } from './errors';
export { decodeUint32, decodeUint64, NATIVE_ORDER, type ByteOrder } from './endian';
export { LIBC_CANDIDATES, loadFirst, describeCandidate, type LibCandidate } from './load';
