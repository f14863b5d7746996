/**
 * What every graphns command shares: strict argument parsing with a short
 * usage message, exit codes (0 ok, 1 failure, 2 usage), output that
 * survives a closed pipe (`lsuserns | head`), and errors as one line on
 * stderr, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeDisplay } from '../main/model';

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Bad command-line usage: exit 2 with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on: exit 1 with this message only. */
export class CliError extends Error {
  override name = 'CliError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse `argv` strictly; unknown flags and stray arguments are UsageErrors. */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    // parseArgs's first sentence names the bad argument; the rest is advice for programs.
    // The argument is the user's own text: escaped, it cannot garble the terminal.
    const first = (err as Error).message.split(/(?<=\.) /)[0] ?? 'bad arguments';
    throw new UsageError(escapeDisplay(first));
  }
}

/** Where a command reads and writes; tests pass their own streams. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * The first write error on a guarded stream that is not EPIPE. Writes made
 * through writeTo() report theirs themselves; this catches the rest (a write
 * nobody awaited), so that runCommand() cannot return 0 after it.
 */
const lostWrites = new WeakMap<NodeJS.WritableStream, NodeJS.ErrnoException>();
const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A reader that goes away (`lsuserns | head -1`) closes the pipe: the stream
 * then emits EPIPE, possibly after the write that caused it has returned.
 * That is the reader's choice, not a failure: stop writing, keep the exit
 * code. Any other write error (ENOSPC on /dev/full) is a failure, recorded
 * here; without a listener, Node would turn the 'error' event into a crash.
 */
export function guardStdout(stream: NodeJS.WritableStream = process.stdout): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || lostWrites.has(stream)) return;
    lostWrites.set(stream, err);
  });
}

/** `cannot write output: ENOSPC (no space left on device)`, one line. */
function writeFailure(err: NodeJS.ErrnoException): CliError {
  // Node's message is "ENOSPC: no space left on device, write": keep the code first
  const why = err.message.replace(/^[A-Z0-9_]+: /, '').replace(/, write$/, '');
  return new CliError(`cannot write output: ${err.code ? `${err.code} (${why})` : why}`);
}

/** Whether a write error means the reader went away (not a failure). */
const readerGone = (err: NodeJS.ErrnoException) =>
  err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';

/**
 * Write to `stream` and wait until it is flushed. A closed pipe is not an
 * error; any other write error rejects with a CliError (exit 1).
 */
export function writeTo(stream: NodeJS.WritableStream, text: string): Promise<void> {
  guardStdout(stream);
  return new Promise((resolve, reject) => {
    if ((stream as { destroyed?: boolean }).destroyed) return resolve();
    stream.write(text, (err?: Error | null) => {
      const e = err as NodeJS.ErrnoException | null | undefined;
      if (!e || readerGone(e)) return resolve();
      lostWrites.delete(stream); // reported here, through the rejection
      reject(writeFailure(e));
    });
  });
}

/** Write to stdout and wait until it is flushed; a closed pipe is not an error. */
export function writeOut(text: string): Promise<void> {
  return writeTo(process.stdout, text);
}

/** Print a warning for the user on stderr, escaped (it may carry process names). */
export function warn(command: string, message: string, io: Pick<Io, 'stderr'> = process): void {
  io.stderr.write(`${command}: ${escapeDisplay(message)}\n`);
}

/**
 * Run a command's main function and return its exit code: usage errors
 * print `command: message` and the usage text and give 2, CliErrors their
 * message and 1, anything else a one-line message and 1. A write error on
 * stdout that the command did not see (see guardStdout) turns 0 into 1.
 */
export async function runCommand(
  command: string,
  usage: string,
  main: () => Promise<number>,
  io: Io = process,
): Promise<number> {
  guardStdout(io.stdout);
  let code: number;
  try {
    code = await main();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${command}: ${err.message}\n${usage}`);
      return EXIT.usage;
    }
    const msg = err instanceof Error ? err.message : String(err);
    warn(command, msg, io);
    return EXIT.failure;
  }
  const lost = lostWrites.get(io.stdout);
  if (lost !== undefined && code === EXIT.ok) {
    lostWrites.delete(io.stdout);
    warn(command, writeFailure(lost).message, io);
    return EXIT.failure;
  }
  return code;
}

/** runCommand() on this process's streams, setting its exit code. */
export async function run(
  command: string,
  usage: string,
  main: () => Promise<number>,
): Promise<void> {
  process.exitCode = await runCommand(command, usage, main);
}

/** Whether ANSI colour goes to stdout: only when asked, or never when not a TTY. */
export function useColor(asked: boolean | undefined): boolean {
  return asked === true;
}

/** Note on stderr that an unprivileged view may be incomplete, and print scan warnings. */
export function reportScan(command: string, warnings: readonly string[]): void {
  if (process.geteuid?.() !== 0) {
    warn(command, 'not running as root: namespaces of other users may be missing (try sudo)');
  }
  for (const w of warnings) warn(command, `warning: ${w}`);
}
