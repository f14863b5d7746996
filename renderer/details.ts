/**
 * The details panel: everything the model knows about the selected
 * namespace (main/emit/details.ts nsDetails, in the parts of
 * details-sections.ts), beside the drawing, which narrows to make room
 * rather than being covered. It opens on every selection and closes when
 * the selection clears; a new scan shows the same namespace with what is
 * known of it now. Related namespaces are buttons that select and centre
 * their node; the id and the nsenter line have copy buttons (clipboard.ts:
 * when the clipboard refuses, the text is offered selected at the top of
 * the panel; the viewer never runs the line).
 *
 * Long lists scroll and say how many they hold; past LIST_LIMIT rows the
 * rest wait behind a "show all" button (panel.ts).
 */
import { nsDetails, type NsDetails } from '../main/emit/details';
import type { ModelGraph } from '../main/model/graph';
import { escapeDisplay as esc } from '../main/model/names';
import type { NsKey } from '../main/model/types';
import { ContainerText } from './container-facts';
import {
  belongsParts,
  enterPart,
  heldParts,
  namespacePart,
  nsName,
  processesPart,
  relatedParts,
  type DetailsLinks,
} from './details-sections';
import { interfacesPart } from './details-net';
import { button, h } from './dom';
import { elementFor } from './page';
import { goTo, PanelShell, type Panel, type PanelParts } from './panel';
import { probe } from './probes';

/** The details panel. */
export class DetailsPanel implements Panel {
  readonly shell: PanelShell;
  readonly #parts: PanelParts;
  /** The container words of the model shown, made once per model. */
  #text: { of: ModelGraph; text: ContainerText } | undefined;

  constructor(parts: PanelParts) {
    this.#parts = parts;
    this.shell = new PanelShell('details', 'details', () => this.close());
    parts.selection.changed.on('panels', () => this.#show());
    // a new scan: the same namespace, with what is known of it now
    parts.drawing.drawn.on('panels', () => {
      if (parts.selection.key !== undefined) this.#show();
    });
  }

  /** Close it: the selection clears. */
  close(): void {
    this.#parts.selection.select(undefined);
  }

  /** Show the selected namespace, or close when there is none. */
  #show(): void {
    const key = this.#parts.selection.key;
    this.#parts.clipboard.dismiss();
    if (key === undefined) {
      if (!this.shell.isOpen) return;
      this.shell.close();
      probe('details', undefined);
      probe('detailsDrawn', undefined);
      return;
    }
    const { body } = this.shell;
    body.replaceChildren();
    const g = this.#parts.drawing.model?.graph;
    const d = g ? nsDetails(g, key) : undefined;
    if (g && d) this.#render(g, d);
    else {
      this.shell.title.textContent = esc(key);
      body.append(h('p', 'note', 'gone: the latest scan no longer has this namespace'));
    }
    body.scrollTop = 0;
    probe('details', key);
    if (!this.shell.isOpen) this.#open(key);
  }

  /** Open beside the drawing, which narrows (the SVG keeps its size, style.css: nothing is laid out again). */
  #open(key: NsKey): void {
    this.shell.open();
    // the selected node may be behind the panel now: bring it back
    const { drawing, view } = this.#parts;
    const el = drawing.svg ? elementFor(drawing.svg, key) : undefined;
    if (el && !view.inView(el)) view.centreOn(el, view.realZoom);
  }

  #render(g: ModelGraph, d: NsDetails): void {
    const { body, title } = this.shell;
    title.textContent = nsName(d.ns);
    const svg = this.#parts.drawing.svg;
    const drawn = svg ? elementFor(svg, d.ns.key) !== undefined : false;
    probe('detailsDrawn', drawn ? 'yes' : 'no');
    const links = this.#links(g);
    const hiddenBy = this.#parts.drawing.overview ? 'overview' : 'filters';
    namespacePart(body, d, drawn ? undefined : hiddenBy, links);
    enterPart(body, d, links);
    relatedParts(body, d, links);
    belongsParts(body, d, this.#textOf(g));
    interfacesPart(body, g, d.ns, links);
    processesPart(body, g, d);
    heldParts(body, g, d);
  }

  #textOf(g: ModelGraph): ContainerText {
    if (this.#text?.of !== g) this.#text = { of: g, text: new ContainerText(g) };
    return this.#text.text;
  }

  /** Links that select a related namespace, and copy buttons offering their text above the body on refusal. */
  #links(g: ModelGraph): DetailsLinks {
    const { clipboard, drawing } = this.#parts;
    return {
      link: (key) => {
        const ns = g.byKey.get(key);
        const b = button('ns-link', ns ? nsName(ns) : esc(key), () => this.#go(key));
        b.dataset.key = key;
        const svg = drawing.svg;
        if (!svg || !elementFor(svg, key)) {
          b.classList.add('undrawn');
          // in the overview a link draws it out of its group; else the filters hide it
          const why = drawing.overview ? 'in a group: a click draws it' : 'hidden by the filters';
          b.append(h('span', 'note', ` · not drawn (${why})`));
        }
        return b;
      },
      copy: (label, text, what) => {
        const b: HTMLButtonElement = button('copy', label, () => {
          void clipboard.copy(text, what, { from: b, before: this.shell.body });
        });
        return b;
      },
    };
  }

  /** Go to `key`, as any panel's link does; keyboard users stay in the panel. */
  #go(key: NsKey): void {
    goTo(this.#parts, key);
    // keyboard users stay in the panel: its first control, the close button
    this.shell.closeButton.focus();
  }
}
