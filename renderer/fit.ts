/**
 * Zoom to fit: `w` fits the whole graph in what is seen of the drawing,
 * `W` the selection (the selected namespace and the namespaces related to
 * it, as the drawing marks them: main/emit/relations.ts, its ancestors up
 * to the root, a PID namespace's owner, its children, what a user
 * namespace owns; in the wiring, the namespaces it is wired to). Without
 * a selection, or with one the filters do not draw, the status line says
 * so and the view stays.
 *
 * Boxes come from the SVG's own geometry (view.ts boxOf): no layout of a
 * large drawing, whatever the pan and zoom.
 */
import type { Box } from './anchors';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import { relatedKeys, relationsOf } from '../main/emit/relations';
import { wiresOf } from '../main/emit/wires';
import type { NsKey } from '../main/model/types';
import { elementFor } from './page';
import type { Selection } from './selection';
import type { GraphView } from './view';

/** What fitting works with. */
export interface FitParts {
  drawing: Drawing;
  selection: Selection;
  view: GraphView;
  /** A note for the status line. */
  say(text: string): void;
}

/** The smallest box holding all of `boxes`. */
export function unionBox(boxes: readonly Box[]): Box | undefined {
  if (boxes.length === 0) return undefined;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The fit keys' handlers. */
export class Fit {
  readonly #parts: FitParts;
  readonly commands: Commands<'fitAll' | 'fitSelection'> = {
    fitAll: () => this.all(),
    fitSelection: () => this.selection(),
  };

  constructor(parts: FitParts) {
    this.#parts = parts;
  }

  /** The whole graph in what is seen. */
  all(): void {
    const box = this.#parts.view.contentBox;
    if (box) this.#parts.view.fitBox(box);
  }

  /** The selected namespace and its relations in what is seen; says why not when it cannot. */
  selection(): void {
    const { drawing, selection, view, say } = this.#parts;
    const key = selection.key;
    const svg = drawing.svg;
    const g = drawing.model?.graph;
    if (key === undefined || !svg || !g) {
      say('no namespace selected: click one, then W fits it and its relations');
      return;
    }
    const own = elementFor(svg, key);
    if (!own) {
      say('the selected namespace is not drawn (the filters hide it): nothing to fit');
      return;
    }
    const ns = g.byKey.get(key);
    let related: NsKey[] = [];
    if (ns && drawing.filter.net) related = wiresOf(g, ns).map((w) => w.ns.key);
    else {
      const r = relationsOf(g, key);
      if (r) related = relatedKeys(r);
    }
    const els = [own, ...related.flatMap((k) => elementFor(svg, k) ?? [])];
    const box = unionBox(els.flatMap((el) => view.boxOf(el) ?? []));
    if (!box) return;
    view.fitBox(box);
    const n = els.length - 1;
    say(
      `fitted the selection and ${n === 0 ? 'no relation drawn' : `${n} related namespace${n === 1 ? '' : 's'}`}`,
    );
  }
}
