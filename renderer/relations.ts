/**
 * Relations in the drawing: hovering or selecting a namespace shows its
 * relations and dims the rest; `[` and `]` walk along them.
 *
 * Shown for one namespace, the focus (the one the pointer rests on, else
 * the selection): in the hierarchy its ancestors up to the root (a flat
 * namespace's owning user namespace and that one's parents), a PID
 * namespace's owner, its children and what a user namespace owns
 * (main/emit/relations.ts), and the edges between them; in the network
 * wiring the namespaces it is wired to and the wires. Outlined in the
 * overlay (marks.ts), and the rest of the drawing under its veil: one path
 * in the overlay with the related elements cut out, so neither a hover
 * nor a selection restyles the drawing's thousands of elements.
 *
 * The pointer's focus waits until it has rested on a namespace for
 * HOVER_MS (passing over the drawing changes nothing) and goes LEAVE_MS
 * after it left (moving from one box to the next does not lift the veil
 * in between). A new selection takes the focus back until the pointer
 * moves onto a namespace again.
 *
 * The keys walk from the selection (else the namespace under the
 * pointer), select where they land and centre it at a readable zoom:
 * `[` one step up (the parent, else the owner, up to the root user
 * namespace); `]` back down the way `[` came, else the first namespace
 * below, else the next one beside (depth first: it reaches every
 * namespace drawn). In the wiring,
 * `]` follows a wire on to the next namespace (not back), `[` goes back
 * the way `]` came, and `]` after it takes the next wire.
 *
 * Whose relations are shown, for tests and benchmarks, is said on the
 * overlay's element: `#marks[data-focus]` (a key, absent for none) and
 * `data-focus-ms`, the script time of the last change.
 */
import { edgeSvgId } from '../main/emit/dot';
import { ifNode } from '../main/emit/net-dot';
import {
  nextWired,
  relatedKeys,
  relationsOf,
  stepDown,
  stepUp,
  type Shown,
} from '../main/emit/relations';
import { wiresOf } from '../main/emit/wires';
import type { ModelGraph } from '../main/model/graph';
import type { NsKey } from '../main/model/types';
import { whenIdle } from './dom';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import type { Marks } from './marks';
import { elementFor, indexElements } from './page';
import type { Selection } from './selection';
import type { GraphView } from './view';

/** The zoom a step centres its namespace at (at least): 1x, where 10-point labels are 10 px. */
const READABLE = 1;
/** How long the pointer rests on a namespace before its relations show (ms). */
export const HOVER_MS = 120;
/** How long after the pointer left every namespace the focus goes back to the selection (ms). */
export const LEAVE_MS = 200;

/** What the relations work with. */
export interface RelationsParts {
  drawing: Drawing;
  selection: Selection;
  view: GraphView;
  marks: Marks;
  /** A note for the status line. */
  say(text: string): void;
}

/** In the wiring: the namespaces `key` is wired to, in the order of its wires, and the wires' edge ids (either way). */
export function wiredTo(g: ModelGraph, key: NsKey): { keys: NsKey[]; edges: string[] } {
  const ns = g.byKey.get(key);
  const wires = ns ? wiresOf(g, ns) : [];
  const edges = wires.flatMap((w) => {
    if (!w.other) return [];
    const [a, b] = [ifNode(ns!, w.iface.index), ifNode(w.ns, w.other.index)];
    return [edgeSvgId(a, b), edgeSvgId(b, a)];
  });
  return { keys: [...new Set(wires.map((w) => w.ns.key))], edges };
}

/** The id of the node an element belongs to: its own, or a table row's table. */
function nodeIdOf(el: Element): string {
  return el.closest('g.node')?.id ?? el.id;
}

/** The drawing's edges between the elements `a` and `b`, either way (child -> parent, member -> owner). */
function edgesBetween(svg: SVGSVGElement, a: Element, b: Element): Element[] {
  const [x, y] = [nodeIdOf(a), nodeIdOf(b)];
  const doc = svg.ownerDocument;
  const out: Element[] = [];
  for (const id of [edgeSvgId(x, y), edgeSvgId(y, x)]) {
    const e = doc.getElementById(id);
    if (e && svg.contains(e)) out.push(e);
  }
  return out;
}

/** The relations shown, the veil and the keys that walk them. */
export class Relations {
  readonly #parts: RelationsParts;
  /** The namespace the pointer rests on (its relations shown), and the one it moved onto last. */
  #hover: NsKey | undefined;
  #pointed: NsKey | undefined;
  #timer: number | undefined;
  /** The walk: `[`'s steps to retrace (hierarchy); `]`'s way back and where `[` came back from (wiring). */
  #retrace: NsKey[] = [];
  #wireBack: NsKey[] = [];
  #backFrom: NsKey | undefined;
  /** The namespace the last step selected: the walk goes on from there, else it starts anew. */
  #landed: NsKey | undefined;
  #stepping = false;
  /** The centring of the namespace a step landed on, waiting for the next frame. */
  #centring = 0;
  /** Its keys' handlers. */
  readonly commands: Commands<'relUp' | 'relDown'> = {
    relUp: () => this.up(),
    relDown: () => this.down(),
  };

  constructor(parts: RelationsParts) {
    this.#parts = parts;
    parts.selection.changed.on('marks', () => this.#selected());
    // a new layout is a new SVG (a namespace gone from a new scan is simply not found)
    parts.drawing.drawn.on('marks', () => {
      this.#apply();
      // look-ups of thousands at the first hover of the root: index while idle
      whenIdle(() => {
        const svg = parts.drawing.svg;
        if (svg) indexElements(svg);
      });
    });
  }

  /** The pointer moved onto `key`'s element (undefined: off every namespace). */
  hover(key: NsKey | undefined): void {
    if (key === this.#pointed) return;
    this.#pointed = key;
    clearTimeout(this.#timer);
    this.#timer = window.setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#hover === key) return;
        this.#hover = key;
        this.#apply();
      },
      key === undefined ? LEAVE_MS : HOVER_MS,
    );
  }

  /** The selection changed: it has the focus until the pointer moves onto a namespace; a walk goes on only from where it landed. */
  #selected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hover = undefined;
    this.#pointed = undefined;
    if (!this.#stepping) this.#forgetWalk();
    this.#apply();
  }

  #forgetWalk(): void {
    this.#retrace = [];
    this.#wireBack = [];
    this.#backFrom = undefined;
    this.#landed = undefined;
  }

  /** The namespace whose relations are shown. */
  get focus(): NsKey | undefined {
    return this.#hover ?? this.#parts.selection.key;
  }

  /** Mark the selection, the focus's relations and the edges between, and veil the rest. */
  #apply(): void {
    const t0 = performance.now();
    const { drawing, marks, selection } = this.#parts;
    const svg = drawing.svg;
    const sel = selection.key;
    const focus = this.focus;
    const g = focus !== undefined ? drawing.model?.graph : undefined;
    const selEl = svg && sel !== undefined ? elementFor(svg, sel) : undefined;
    marks.set('sel', selEl ? [selEl] : []);
    const focusEl = svg && focus !== undefined ? elementFor(svg, focus) : undefined;
    const shown = svg && g && focus !== undefined && g.byKey.has(focus) ? focus : undefined;
    marks.set('hover', focusEl && focus !== sel && shown !== undefined ? [focusEl] : []);
    if (!svg || !g || shown === undefined) {
      marks.set('rel', []);
      marks.set('rel-edge', []);
      marks.veil(undefined);
      this.#say(undefined, t0);
      return;
    }
    const { related, edges } = drawing.filter.net
      ? this.#wired(svg, g, shown)
      : this.#hierarchy(svg, g, shown, focusEl);
    marks.set('rel', related);
    marks.set('rel-edge', edges);
    const clear = [...(focusEl ? [focusEl] : []), ...(selEl && selEl !== focusEl ? [selEl] : [])];
    marks.veil([...clear, ...related]);
    this.#say(shown, t0);
  }

  /** The focus's relations in the hierarchy: the namespaces' elements, and the edges of the chain. */
  #hierarchy(
    svg: SVGSVGElement,
    g: ModelGraph,
    key: NsKey,
    own: Element | undefined,
  ): { related: Element[]; edges: Element[] } {
    const r = relationsOf(g, key);
    if (!r) return { related: [], edges: [] };
    const related: Element[] = [];
    for (const k of relatedKeys(r)) {
      const el = elementFor(svg, k);
      if (el) related.push(el);
    }
    const edges: Element[] = [];
    for (const [a, b] of r.links) {
      const ea = a === key ? own : elementFor(svg, a);
      const eb = b === key ? own : elementFor(svg, b);
      if (ea && eb) edges.push(...edgesBetween(svg, ea, eb));
    }
    return { related, edges };
  }

  /** The focus's relations in the wiring: the namespaces it is wired to, and the wires. */
  #wired(svg: SVGSVGElement, g: ModelGraph, key: NsKey): { related: Element[]; edges: Element[] } {
    const { keys, edges } = wiredTo(g, key);
    const doc = svg.ownerDocument;
    return {
      related: keys.flatMap((k) => elementFor(svg, k) ?? []),
      edges: edges.flatMap((id) => {
        const e = doc.getElementById(id);
        return e && svg.contains(e) ? [e] : [];
      }),
    };
  }

  #say(focus: NsKey | undefined, t0: number): void {
    const data = this.#parts.marks.element.dataset;
    if (focus === undefined) delete data.focus;
    else data.focus = focus;
    data.focusMs = String(Math.round(performance.now() - t0));
  }

  /** Where the walk starts: the selection, else the namespace under the pointer; and what it walks in. */
  #start(): { key: NsKey; g: ModelGraph; svg: SVGSVGElement; shown: Shown } | undefined {
    const { drawing, selection, say } = this.#parts;
    const key = selection.key ?? this.#hover ?? this.#pointed;
    const svg = drawing.svg;
    const g = drawing.model?.graph;
    if (key === undefined || !svg || !g?.byKey.has(key)) {
      say('[ and ] walk the relations of the selected namespace: select one first');
      return undefined;
    }
    if (key !== this.#landed) this.#forgetWalk();
    return { key, g, svg, shown: (k) => elementFor(svg, k) !== undefined };
  }

  /** `[`: up the chain (the parent, else the owner); in the wiring, back the way `]` came. */
  up(): void {
    const s = this.#start();
    if (!s) return;
    if (this.#parts.drawing.filter.net) {
      let back = this.#wireBack.pop();
      while (back !== undefined && !s.shown(back)) back = this.#wireBack.pop();
      if (back === undefined) {
        this.#parts.say('[ goes back the way ] came along the wires: ] first');
        return;
      }
      this.#backFrom = s.key;
      this.#go(back);
      return;
    }
    const to = stepUp(s.g, s.key, s.shown);
    if (to === undefined) {
      this.#parts.say('at the top: nothing drawn above it');
      return;
    }
    this.#retrace.push(s.key);
    this.#go(to);
  }

  /** `]`: back down the way `[` came, else the first below, else the next beside; in the wiring, on along a wire. */
  down(): void {
    const s = this.#start();
    if (!s) return;
    if (this.#parts.drawing.filter.net) {
      const wired = wiredTo(s.g, s.key).keys.filter(s.shown);
      const to = nextWired(wired, this.#wireBack.at(-1), this.#backFrom);
      if (to === undefined) {
        this.#parts.say('no other wire leads on from here ([ goes back)');
        return;
      }
      this.#backFrom = undefined;
      this.#wireBack.push(s.key);
      this.#go(to);
      return;
    }
    let to = this.#retrace.pop();
    while (to !== undefined && !s.shown(to)) to = this.#retrace.pop();
    to ??= stepDown(s.g, s.key, s.shown);
    if (to === undefined) {
      this.#parts.say('the last namespace drawn: nothing below or after it');
      return;
    }
    this.#go(to);
  }

  /** Select `key` and centre its element at a readable zoom (1x, as find and the details' links; closer is kept). */
  #go(key: NsKey): void {
    const { selection, drawing, view } = this.#parts;
    this.#stepping = true;
    try {
      selection.select(key);
    } finally {
      this.#stepping = false;
    }
    this.#landed = key;
    // centred in the frame after the one that shows the new selection: at 5000 namespaces the
    // drawing's repaint after a pan and the details' new content are each most of a frame
    cancelAnimationFrame(this.#centring);
    this.#centring = requestAnimationFrame(() => {
      const svg = drawing.svg;
      const el = svg && selection.key === key ? elementFor(svg, key) : undefined;
      // a zoom a hair below 1x (1 key's 0.999999998) is kept (view.ts sameZoom)
      if (el) view.centreOn(el, READABLE);
    });
  }
}
