/**
 * Why a Graphviz layout failed, from its message: the kinds, and the one
 * table that sorts Graphviz's messages into them. Pure, so the Node side
 * (main/layout/svg.ts) and the page's layout worker (renderer/layout.ts)
 * share it: the library hands on only the message of the WASM's exception
 * (a RangeError for the stack, a RuntimeError for a trap), so the message
 * is all there is. The overview (overview.ts) is drawn instead of a full
 * drawing that failed as too-deep, memory or crashed.
 */

/**
 * Why a layout failed: `too-deep` (Graphviz's recursion overflowed the
 * stack: a wide fan or a long chain), `memory` (out of memory, or memory
 * access out of bounds), `crashed` (another WASM trap), `refused`
 * (Graphviz rejected the DOT), `unavailable` (Graphviz or the worker could
 * not be loaded).
 */
export type LayoutFailureKind = 'too-deep' | 'memory' | 'crashed' | 'refused' | 'unavailable';

/** Whether a failure of `kind` is the drawing's size (stack, memory, a trap), which the overview avoids. */
export function tooLarge(kind: LayoutFailureKind): boolean {
  return kind === 'too-deep' || kind === 'memory' || kind === 'crashed';
}

/** The kind of a failure from Graphviz's message. */
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
