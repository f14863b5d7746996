/**
 * native-shim: typed wrappers over the few libc calls graphns needs.
 * Depends on nothing of the project; everything else builds on it.
 */
export { ioctl, ioctlBuffer, userName } from './libc';
export { systemError, hasCode, type SystemError } from './errors';
