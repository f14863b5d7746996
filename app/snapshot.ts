/**
 * Reading the snapshot of `graphns --open FILE`: a regular file (through
 * main/files, which never blocks on a fifo and never reads /dev/zero
 * forever) or `-` for stdin, both capped at SNAPSHOT_MAX_BYTES, then
 * checked by parseModel. Every failure is a CliError: one line, exit 1.
 */
import { fstatSync } from 'node:fs';
import { FileReadError, readRegularFile } from '../main/files';
import { SNAPSHOT_MAX_BYTES } from '../main/contract';
import { ModelFormatError, parseModel, type Model } from '../main/model';
import { CliError, type Io } from './cli';

// one limit for every way a snapshot comes in: --open, a file dropped on the
// window or chosen in it, one handed to an open window (main/contract)
export { SNAPSHOT_MAX_BYTES };
const LIMIT = `${SNAPSHOT_MAX_BYTES / (1024 * 1024)} MiB`;

const tooLarge = () =>
  new CliError(`cannot read snapshot from stdin: larger than ${LIMIT}, the limit for a snapshot`);

/**
 * All of stdin, at most SNAPSHOT_MAX_BYTES. A terminal is refused: graphns
 * would sit waiting for a snapshot typed by hand, which nobody does, and
 * would look hung. A pipe is read until its writer closes it, as any filter
 * does; a regular file redirected in (`< big.json`) is measured first.
 */
async function readStdin(io: Io): Promise<Buffer> {
  const stdin = io.stdin;
  if (stdin === undefined) throw new CliError('--open -: this graphns was given no stdin');
  if (stdin.isTTY === true) {
    throw new CliError('--open -: stdin is a terminal; redirect a snapshot into it (< snap.json)');
  }
  if (stdin === process.stdin) {
    try {
      const st = fstatSync(0);
      if (st.isFile() && st.size > SNAPSHOT_MAX_BYTES) throw tooLarge();
    } catch (err) {
      if (err instanceof CliError) throw err;
      // fd 0 closed or unstat-able: reading it below gives the real error
    }
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stdin) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += b.length;
      // leaving the loop destroys the stream: nothing more is read
      if (total > SNAPSHOT_MAX_BYTES) throw tooLarge();
      chunks.push(b);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read snapshot from stdin: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks, total);
}

/** The text of the snapshot `path` names (`-`: stdin). */
export async function readSnapshot(path: string, io: Io): Promise<string> {
  if (path === '-') return (await readStdin(io)).toString('utf8');
  try {
    return readRegularFile(path, SNAPSHOT_MAX_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) {
      // "cannot read PATH: why" (the limit is in "why" when it was the reason)
      const m = err.message;
      const said = m.startsWith('cannot read ')
        ? `cannot read snapshot ${m.slice('cannot read '.length)}`
        : `snapshot: ${m}`;
      throw new CliError(/larger than/.test(m) ? `${said}, the limit for a snapshot` : said);
    }
    throw err;
  }
}

/** The model in a snapshot's text, or a CliError naming what is wrong with it. */
export function loadSnapshot(path: string, text: string): Model {
  try {
    return parseModel(text);
  } catch (err) {
    if (err instanceof ModelFormatError) {
      const shown = path === '-' ? 'stdin' : path;
      throw new CliError(`${shown} is not a usable graphns snapshot: ${err.message}`);
    }
    throw err;
  }
}
