/**
 * The model behind the drawing, parsed in the pure main/model code with
 * its indexes, and how the page finds a namespace's element in the SVG.
 *
 * Elements of the drawing are found by the ids the DOT gives them
 * (main/emit/dot.ts): a namespace's node `user-4026531837`, a member of a
 * group table `a_row-net-4026531840`; in the wiring (net-dot.ts) a
 * network namespace's box `net-4026531840` (a cluster) and an interface
 * in it `if-net-4026531840-4`, which stands for its namespace. Nothing here reads text out of the
 * SVG: what a node is comes from its id and the model alone.
 */
import { rowSvgId, svgId } from '../main/emit/dot';
import { ifNodeKey } from '../main/emit/net-dot';
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

const ELEMENT_ID = /^(?:a_row-)?([a-z]+)-(\d+)$/;

/** The namespace an element of the drawing stands for (the nearest node, group row, wiring box or interface up). */
export function keyAt(target: EventTarget | null): NsKey | undefined {
  let el = target instanceof Element ? target : null;
  while (el && !(el instanceof SVGSVGElement)) {
    const m = ELEMENT_ID.exec(el.id);
    const own = el.classList.contains('node') || el.classList.contains('cluster');
    if (m && (own || el.id.startsWith('a_row-'))) {
      return `${m[1]}:${m[2]}` as NsKey;
    }
    const iface = own ? ifNodeKey(el.id) : undefined;
    if (iface) return iface;
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
