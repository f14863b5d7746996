/**
 * The output file of `graphns --output`: written atomically by main/files
 * under the 'replace' policy (temp file, fsync, rename; only a regular file
 * is replaced, it keeps its mode; a link to a regular file stays a link;
 * a planted link in a sticky world-writable directory is refused). These
 * names are what app/ has always used; the work is main/files'.
 */
import { checkReplaceTarget, FileWriteError, writeFileAtomic as write } from '../files';

/** The output file cannot be written; the message says why in plain words. */
export class OutputFileError extends FileWriteError {
  override name = 'OutputFileError';
}

function rethrown(err: unknown): unknown {
  return err instanceof FileWriteError ? new OutputFileError(err.message, err.code) : err;
}

/**
 * Check early, before a long scan and layout, that `path` could be written:
 * the same refusals writeFileAtomic() makes, without writing anything.
 * @throws OutputFileError
 */
export function checkOutputTarget(path: string): void {
  try {
    checkReplaceTarget(path);
  } catch (err) {
    throw rethrown(err);
  }
}

/**
 * Write `data` to `path` atomically (temp file, fsync, rename). An existing
 * regular file keeps its mode (and, when we are root, its owner).
 * @throws OutputFileError naming the path and the reason; no temporary
 *   file is left behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  try {
    write(path, data, { policy: 'replace' });
  } catch (err) {
    throw rethrown(err);
  }
}
