/**
 * Finding the C library: the first of several candidates that loads, or one
 * error naming every candidate and why it failed. Pure apart from the
 * loader it is given, so the order and the message are unit-testable.
 */

/** A library to try: a file name for dlopen(), or null for the process's own symbols. */
export type LibCandidate = string | null;

/**
 * Where the C library is, in the order tried:
 * - `libc.so.6`: glibc's soname. musl answers it too: its dynamic linker
 *   resolves every `libc.*` name (and libpthread, libm, libdl, ...) to
 *   itself without looking at the disk (ldso/dynlink.c, load_library).
 * - null, dlopen(NULL): the symbols already in the process, which include
 *   whatever libc Node itself was linked with.
 */
export const LIBC_CANDIDATES: readonly LibCandidate[] = ['libc.so.6', null];

/** How a candidate is named in messages. */
export function describeCandidate(candidate: LibCandidate): string {
  return candidate === null ? "the process's own symbols (dlopen(NULL))" : candidate;
}

/**
 * Load the first candidate `load` accepts.
 * @returns the loaded library and the candidate that gave it.
 * @throws Error listing every candidate with the reason it failed.
 */
export function loadFirst<T>(
  candidates: readonly LibCandidate[],
  load: (candidate: LibCandidate) => T,
): { lib: T; candidate: LibCandidate } {
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      return { lib: load(candidate), candidate };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      failures.push(`${describeCandidate(candidate)}: ${reason}`);
    }
  }
  throw new Error(
    `cannot load the C library (graphns needs glibc or musl); tried ${failures.join('; ') || 'nothing'}`,
  );
}
