/**
 * What the pointer does on the drawing, besides svg-pan-zoom's drag and
 * wheel: a click on a namespace (its node, or its row of a group table)
 * selects it, a click on a group of the overview draws a page of its
 * members, a click on empty space clears the selection, a drag is not
 * a click; a double-click on a user or PID namespace collapses what is
 * below it, or expands it. Moving onto a namespace (or off every one)
 * tells `hover`, which shows its relations once the pointer rests
 * (relations.ts); not while a button is down (a drag pans) nor for touch.
 * Entering an element is the event, not every move: the pointer crossing
 * a large drawing asks a few look-ups up the element's parents, nothing
 * more. Only the pointer's own moves count: when the drawing moves under
 * a pointer at rest (a step of `[` centring its namespace, the wheel's
 * zoom), Chromium tells of the element now under it at the same place,
 * and that would take the relations away from what the keys selected.
 */
import type { NsKey } from '../main/model/types';
import { fanIdOf } from './filter-state';
import { keyAt } from './page';

/** The overview's group under the pointer: its id, or undefined. */
function groupAt(target: EventTarget | null): string | undefined {
  const el = target instanceof Element ? target.closest('g.node.fan') : null;
  return el ? fanIdOf(el.id) : undefined;
}

/** A click that moved the pointer more than this (px) was a drag (a pan), not a click. */
const DRAG_PX = 5;

/** What the gestures ask for. */
export interface PointerActions {
  select(key: NsKey | undefined): void;
  collapse(key: NsKey): void;
  /** Draw one more page of the overview's group `fanId` (main/emit/overview.ts). */
  openGroup(fanId: string): void;
  /** The pointer is over `key`'s element now (undefined: over no namespace, or gone). */
  hover(key: NsKey | undefined): void;
}

/** The pointer's gestures on the drawing's element `host` (#graph). */
export class Pointer {
  readonly #actions: PointerActions;
  #down: { x: number; y: number } | undefined;
  #dragged = false;
  /** Where the pointer was at its last event: the drawing moving under it is no move of its own. */
  #at: { x: number; y: number } | undefined;

  constructor(host: HTMLElement, actions: PointerActions) {
    this.#actions = actions;
    host.addEventListener('pointerdown', (e) => this.#pressed(e));
    host.addEventListener('pointermove', (e) => this.#moved(e));
    host.addEventListener('pointerup', () => this.#released());
    host.addEventListener('pointercancel', () => this.#released());
    host.addEventListener('click', (e) => this.#clicked(e));
    host.addEventListener('dblclick', (e) => this.#doubleClicked(e));
    host.addEventListener('pointerover', (e) => this.#over(e));
    host.addEventListener('pointerleave', () => this.#actions.hover(undefined));
  }

  #over(e: PointerEvent): void {
    const at = this.#at;
    this.#at = { x: e.clientX, y: e.clientY };
    if (at && at.x === e.clientX && at.y === e.clientY) return;
    if (e.pointerType === 'touch' || e.buttons !== 0) return;
    this.#actions.hover(keyAt(e.target));
  }

  #pressed(e: PointerEvent): void {
    this.#down = { x: e.clientX, y: e.clientY };
    this.#dragged = false;
  }

  #moved(e: PointerEvent): void {
    this.#at = { x: e.clientX, y: e.clientY };
    const down = this.#down;
    if (!down || this.#dragged || Math.hypot(e.clientX - down.x, e.clientY - down.y) <= DRAG_PX) {
      return;
    }
    // no grabbing cursor for the drag: the cursor is inherited, so changing it
    // restyles every element of the drawing, 180-210 ms at 5000 namespaces at
    // each drag's start and end (bench:ui); the open hand stays
    this.#dragged = true;
  }

  #released(): void {
    this.#down = undefined;
  }

  #clicked(e: MouseEvent): void {
    // a table row is an <a href="#..."> (Graphviz's handle on a cell): never follow it
    e.preventDefault();
    if (this.#dragged) return;
    const key = keyAt(e.target);
    const group = key === undefined ? groupAt(e.target) : undefined;
    if (key !== undefined) this.#actions.select(key);
    else if (group !== undefined) this.#actions.openGroup(group);
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
