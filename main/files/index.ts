/**
 * files: the project's one way to read a file a user named (regular files
 * only, capped, never blocking) and one way to write one (atomically, with
 * a 'replace' or 'never-replace' policy, following symbolic links only as
 * fs.protected_symlinks would). Node only; imports nothing of the project,
 * so layout (graphns --output) and the shell (saves, window.json) both use it.
 */
export { FileReadError, kindOf, readRegularFile } from './read';
export {
  checkReplaceTarget,
  FileWriteError,
  writeFileAtomic,
  type WriteOptions,
  type WritePolicy,
} from './write';
