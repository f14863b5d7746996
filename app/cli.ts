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
    throw new UsageError((err as Error).message);
  }
}

/** Write to stdout and wait until it is flushed; a closed pipe is not an error. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') resolve();
      else reject(err);
    };
    process.stdout.once('error', onError);
    process.stdout.write(text, (err) => {
      process.stdout.off('error', onError);
      if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
      else resolve();
    });
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
