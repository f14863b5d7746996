/**
 * What the pointer does on the drawing, besides svg-pan-zoom's drag and
 * wheel: a click on a namespace (its node, or its row of a group table)
 * selects it, a click on empty space clears the selection, a drag is not
 * a click; a double-click on a user or PID namespace collapses what is
 * below it, or expands it.
 */
import type { NsKey } from '../main/model/types';
import { keyAt } from './page';

/** A click that moved the pointer more than this (px) was a drag (a pan), not a click. */
const DRAG_PX = 5;

/** What the gestures ask for. */
export interface PointerActions {
  select(key: NsKey | undefined): void;
  collapse(key: NsKey): void;
}

/** The pointer's gestures on the drawing's element `host` (#graph). */
export class Pointer {
  readonly #host: HTMLElement;
  readonly #actions: PointerActions;
  #down: { x: number; y: number } | undefined;
  #dragged = false;

  constructor(host: HTMLElement, actions: PointerActions) {
    this.#host = host;
    this.#actions = actions;
    host.addEventListener('pointerdown', (e) => this.#pressed(e));
    host.addEventListener('pointermove', (e) => this.#moved(e));
    host.addEventListener('pointerup', () => this.#released());
    host.addEventListener('pointercancel', () => this.#released());
    host.addEventListener('click', (e) => this.#clicked(e));
    host.addEventListener('dblclick', (e) => this.#doubleClicked(e));
  }

  #pressed(e: PointerEvent): void {
    this.#down = { x: e.clientX, y: e.clientY };
    this.#dragged = false;
  }

  #moved(e: PointerEvent): void {
    const down = this.#down;
    if (!down || this.#dragged || Math.hypot(e.clientX - down.x, e.clientY - down.y) <= DRAG_PX) {
      return;
    }
    this.#dragged = true;
    // the grabbing cursor only for a real drag: the cursor is inherited, so
    // changing it restyles every element of the drawing (:active would, at every click)
    this.#host.classList.add('dragging');
  }

  #released(): void {
    this.#down = undefined;
    this.#host.classList.remove('dragging');
  }

  #clicked(e: MouseEvent): void {
    // a table row is an <a href="#..."> (Graphviz's handle on a cell): never follow it
    e.preventDefault();
    if (this.#dragged) return;
    const key = keyAt(e.target);
    if (key !== undefined) this.#actions.select(key);
    // a table's heading is part of a node, not empty space
    else if (!(e.target instanceof Element && e.target.closest('g.node'))) {
      this.#actions.select(undefined);
    }
  }

  #doubleClicked(e: MouseEvent): void {
    const key = keyAt(e.target);
    if (!key) return;
    e.preventDefault();
    this.#actions.collapse(key);
  }
}
