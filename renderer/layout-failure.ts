/**
 * Why a layout in the page's worker failed: the kinds and their table are
 * main/emit/layout-failure.ts's, shared with the Node side; this adds the
 * error the page's layout client rejects with. No DOM in here, so Node
 * tests import it.
 */
import type { LayoutFailureKind } from '../main/emit/layout-failure';

export { failureKind, type LayoutFailureKind } from '../main/emit/layout-failure';

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
