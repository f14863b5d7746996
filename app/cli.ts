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

/**
 * A reader that goes away (`lsuserns | head -1`) closes the pipe: stdout then
 * emits EPIPE, possibly after the write that caused it has returned. That
 * is the reader's choice, not a failure: stop writing, keep the exit code.
 */
let stdoutGuarded = false;
export function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    process.stderr.write(`cannot write output: ${err.message}\n`);
    process.exitCode = EXIT.failure;
  });
}

/** Write to stdout and wait until it is flushed; a closed pipe is not an error. */
export function writeOut(text: string): Promise<void> {
  guardStdout();
  return new Promise((resolve) => {
    if (process.stdout.destroyed) return resolve();
    // errors arrive on the 'error' event (guardStdout); the callback only says "done"
    process.stdout.write(text, () => resolve());
  });
}

/** Print a warning for the user on stderr, escaped (it may carry process names). */
export function warn(command: string, message: string): void {
  process.stderr.write(`${command}: ${escapeDisplay(message)}\n`);
}

/**
 * Run a command's main function and set the exit code: usage errors print
 * the usage text and give 2, CliErrors their message and 1, anything else a
 * one-line message and 1.
 */
export async function run(
  command: string,
  usage: string,
  main: () => Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${command}: ${err.message}\n${usage}`);
      process.exitCode = EXIT.usage;
    } else {
      const msg = err instanceof Error ? err.message : String(err);
      warn(command, msg);
      process.exitCode = EXIT.failure;
    }
  }
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
