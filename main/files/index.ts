/**
 * files: the project's one way to read a file a user named (regular files
 * only, capped, never blocking) and one way to write one (atomically, with
 * a replace or never-replace policy). Node only; imports nothing of the
 * project, so layout (graphns --output) and the shell (saves, window.json)
 * can both use it.
 */
export { FileReadError, readRegularFile } from './read';
