/**
 * What the page's features share: the graph result shown now, its model
 * (parsed once, when first needed, in the pure main/model code), and two
 * events: a new graph arrived, a laid-out SVG was put on screen; and the
 * selection (one namespace, renderer/selection.ts draws it). Panels,
 * find, filters and refresh listen here instead of reaching into main.ts.
 *
 * Elements of the drawing are found by the ids the DOT gives them
 * (main/emit/dot.ts): a namespace's node `user-4026531837`, a member of a
 * group table `a_row-net-4026531840`. Nothing here reads text out of the
 * SVG: what a node is comes from its id and the model alone.
 */
import type { GraphPayload } from '../main/contract';
import { rowSvgId, svgId } from '../main/emit/dot';
import { graphOf, type ModelGraph } from '../main/model/graph';
import { parseModel } from '../main/model/json';
import type { Model, NsKey } from '../main/model/types';

/** The model behind what is shown, with its indexes. */
export interface PageModel {
  model: Model;
  graph: ModelGraph;
}

/**
 * A model JSON parsed and checked, with its indexes.
 * @throws ModelFormatError when the JSON is not a valid model.
 */
export function pageModel(modelJson: string): PageModel {
  const model = parseModel(modelJson);
  return { model, graph: graphOf(model) };
}

type Listener<T> = (value: T) => void;

/** The page's shared state and its two events. */
export class PageState {
  #result: GraphPayload | undefined;
  #model: PageModel | undefined;
  #svg: SVGSVGElement | undefined;
  #dot: string | undefined;
  #onGraph: Listener<GraphPayload>[] = [];
  #onDrawn: Listener<SVGSVGElement>[] = [];
  #selected: NsKey | undefined;
  #onSelect: Listener<NsKey | undefined>[] = [];

  /** The graph result shown (or being laid out) now. */
  get result(): GraphPayload | undefined {
    return this.#result;
  }

  /** The SVG on screen now. */
  get svg(): SVGSVGElement | undefined {
    return this.#svg;
  }

  /** The DOT that SVG was laid out from (what `y` copies): the filtered view's, when filtered. */
  get dot(): string | undefined {
    return this.#dot;
  }

  /**
   * The model of the current result, parsed and checked on first use.
   * @throws ModelFormatError when the Node side sent a malformed model.
   */
  get model(): PageModel | undefined {
    if (!this.#model && this.#result) this.#model = pageModel(this.#result.modelJson);
    return this.#model;
  }

  /**
   * A new graph result arrived (before its layout). `model`, when the caller
   * parsed it already (a refresh compares models), saves parsing it again.
   * A refresh whose drawing would not change sets the result and announces
   * the same SVG again through onDrawn, without a layout.
   */
  setGraph(result: GraphPayload, model?: PageModel): void {
    this.#result = result;
    this.#model = model;
    for (const l of this.#onGraph) l(result);
  }

  /** Its SVG, laid out from `dot`, is on screen now. */
  drawn(svg: SVGSVGElement, dot: string): void {
    this.#svg = svg;
    this.#dot = dot;
    for (const l of this.#onDrawn) l(svg);
  }

  /** The namespace selected (details panel open on it), if any; it may not be drawn. */
  get selected(): NsKey | undefined {
    return this.#selected;
  }

  /** Select `key` (undefined: none); listeners hear of every change. */
  select(key: NsKey | undefined): void {
    if (key === this.#selected) return;
    this.#selected = key;
    for (const l of this.#onSelect) l(key);
  }

  onSelect(l: Listener<NsKey | undefined>): void {
    this.#onSelect.push(l);
  }

  onGraph(l: Listener<GraphPayload>): void {
    this.#onGraph.push(l);
  }

  onDrawn(l: Listener<SVGSVGElement>): void {
    this.#onDrawn.push(l);
  }
}

const ELEMENT_ID = /^(?:a_row-)?([a-z]+)-(\d+)$/;

/** The namespace an element of the drawing stands for (the nearest node or group row up). */
export function keyAt(target: EventTarget | null): NsKey | undefined {
  let el = target instanceof Element ? target : null;
  while (el && !(el instanceof SVGSVGElement)) {
    const m = ELEMENT_ID.exec(el.id);
    if (m && (el.classList.contains('node') || el.id.startsWith('a_row-'))) {
      return `${m[1]}:${m[2]}` as NsKey;
    }
    el = el.parentElement;
  }
  return undefined;
}

/** Per drawing on screen: each namespace's element by key, once indexed (indexElements). */
const elementIndex = new WeakMap<SVGSVGElement, Map<NsKey, SVGGElement>>();

/**
 * Index the namespaces' elements of `svg`, in one pass over its groups:
 * find looks up thousands at its first letter (19 ms by id at 5000), and
 * page features index each drawing while the page is idle. A drawing is
 * never changed once on screen (a new layout is a new SVG), so the index
 * stays true.
 */
export function indexElements(svg: SVGSVGElement): void {
  if (elementIndex.has(svg)) return;
  const map = new Map<NsKey, SVGGElement>();
  for (const el of svg.getElementsByTagName('g')) {
    const m = ELEMENT_ID.exec(el.id);
    if (!m) continue;
    const key = `${m[1]}:${m[2]}` as NsKey;
    // its node, where it has one, before its row (as elementFor looks)
    if (!el.id.startsWith('a_row-') || !map.has(key)) map.set(key, el);
  }
  elementIndex.set(svg, map);
}

/** The element drawing a namespace in `svg` (which is in the document): its node, or its row of a group table. */
export function elementFor(svg: SVGSVGElement, key: NsKey): SVGGElement | undefined {
  const index = elementIndex.get(svg);
  if (index) return index.get(key);
  // getElementById is a hash lookup; a selector would walk thousands of elements
  const doc = svg.ownerDocument;
  for (const id of [svgId(key), rowSvgId(key)]) {
    const el = doc.getElementById(id);
    if (el instanceof SVGGElement && svg.contains(el)) return el;
  }
  return undefined;
}
