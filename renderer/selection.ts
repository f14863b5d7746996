/**
 * The selection: one namespace (or none), with one owner and one event.
 * The details panel shows it; relations.ts outlines it in the overlay
 * (marks.ts) with its relations (its whole chain up to the root, its
 * owner, children and what it owns; in the wiring, the network namespaces
 * it is wired to) and the edges between them, dimming the rest, again
 * after every redraw, since a new layout is a new SVG.
 *
 * What is related comes from the model, never from the SVG's text;
 * elements are found by id (page.ts elementFor, dot.ts edgeSvgId).
 */
import type { NsKey } from '../main/model/types';
import { Signal } from './events';
import { probe } from './probes';

/** The steps of `changed`, in the order they run. */
export const SELECTED_STEPS = [
  /** The overlay outlines the new selection. */
  'marks',
  /** Panels show it. */
  'panels',
] as const;
export type SelectedStep = (typeof SELECTED_STEPS)[number];

/** The selected namespace. */
export class Selection {
  /** The one event: the selection changed (to undefined: none). */
  readonly changed = new Signal<NsKey | undefined, SelectedStep>(SELECTED_STEPS);
  #key: NsKey | undefined;

  /** The namespace selected, if any; it may not be drawn. */
  get key(): NsKey | undefined {
    return this.#key;
  }

  /** Select `key` (undefined: none); listeners hear of every change. */
  select(key: NsKey | undefined): void {
    if (key === this.#key) return;
    this.#key = key;
    probe('selected', key);
    this.changed.emit(key);
  }
}
