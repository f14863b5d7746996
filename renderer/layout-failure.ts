/**
 * Why a layout in the page's worker failed: the kinds, and the one table
 * that sorts Graphviz's messages into them. No DOM in here, so the Node
 * tests hold it to main/layout/svg.ts's table (tests/unit/layout-kinds.test.ts).
 */

/**
 * Why a layout failed, as main/layout/svg.ts says it for the Node side:
 * `too-deep` (Graphviz's recursion overflowed the stack: a wide fan or a
 * long chain), `memory` (out of memory, or memory access out of bounds),
 * `crashed` (another WASM trap), `refused` (Graphviz rejected the DOT),
 * `unavailable` (Graphviz or the worker could not be loaded).
 */
export type LayoutFailureKind = 'too-deep' | 'memory' | 'crashed' | 'refused' | 'unavailable';

/** A layout the worker could not make. */
export class LayoutFailure extends Error {
  override name = 'LayoutFailure';
  constructor(
    message: string,
    readonly kind: LayoutFailureKind,
  ) {
    super(message);
  }
}

/**
 * The kind of a failure from its message: the library hands on only the
 * message of the WASM's exception (RangeError, RuntimeError). The same
 * table as main/layout/svg.ts `layoutErrorKind` (the renderer may not
 * import main/layout; tests/unit/layout-kinds.test.ts holds the two to it).
 */
export function failureKind(message: string): Exclude<LayoutFailureKind, 'unavailable'> {
  if (/maximum call stack size|stack overflow|too much recursion/i.test(message)) return 'too-deep';
  if (
    /memory access out of bounds|cannot enlarge memory|out of memory|\boom\b|allocation failed/i.test(
      message,
    )
  ) {
    return 'memory';
  }
  if (
    /unreachable|^aborted\b|abort\(|divide by zero|integer overflow|null function|table index|signature mismatch|program terminated|exit\(/i.test(
      message,
    )
  ) {
    return 'crashed';
  }
  return 'refused';
}
