/**
 * The containers panel (`a`): every container of the model, lxkns's "all
 * containers" view. Each is named in the words the tree and the DOT use
 * (engine, pod, compose project, the container its engine runs in), with
 * the namespaces it is in as chips in their type's colours. A click on a
 * container selects the namespace that stands for it (its PID namespace),
 * a click on a chip that namespace, as a click in the drawing would: the
 * details panel opens on it and the drawing centres it when drawn. The
 * entry holding the selection is marked.
 *
 * It follows the drawing and the selection only while open (disposable
 * subscriptions). `<html data-containers>` is how many it lists while open.
 */
import { byDisplay } from '../main/emit/containers';
import { nsId } from '../main/emit/holder';
import type { ModelGraph } from '../main/model/graph';
import type { Container, ContainerKey, Namespace, NsKey } from '../main/model/types';
import { ContainerText, namespacesByContainer, standsFor } from './container-facts';
import { button, h } from './dom';
import { disposeAll, type Disposable } from './events';
import { elementFor } from './page';
import { goTo, list, PanelShell, type Panel, type PanelParts } from './panel';
import { probe } from './probes';

/** What the panel knows of one model, made once per model. */
interface Index {
  of: ModelGraph;
  text: ContainerText;
  namespaces: Map<ContainerKey, Namespace[]>;
}

/** The containers panel. */
export class ContainersPanel implements Panel {
  readonly shell: PanelShell;
  readonly #parts: PanelParts;
  #index: Index | undefined;
  /** What it follows while open. */
  #following: Disposable[] = [];
  /** Its entries by container, to mark the one holding the selection. */
  #entries = new Map<ContainerKey, HTMLElement>();

  constructor(parts: PanelParts) {
    this.#parts = parts;
    this.shell = new PanelShell('containers', 'containers', () => this.close());
  }

  /** Open it (listing the model's containers), or close it. */
  toggle(): void {
    if (this.shell.isOpen) this.close();
    else this.#open();
  }

  close(): void {
    disposeAll(this.#following);
    this.shell.close();
    probe('containers', undefined);
  }

  #open(): void {
    const { drawing, selection } = this.#parts;
    this.#following.push(
      drawing.drawn.on('panels', () => this.#render()),
      selection.changed.on('panels', () => this.#markSelected()),
    );
    this.#render();
    this.shell.open();
  }

  #indexOf(g: ModelGraph): Index {
    if (this.#index?.of !== g) {
      this.#index = { of: g, text: new ContainerText(g), namespaces: namespacesByContainer(g) };
    }
    return this.#index;
  }

  /** List the containers of the model drawn now. */
  #render(): void {
    const { body, title } = this.shell;
    body.replaceChildren();
    this.#entries.clear();
    const g = this.#parts.drawing.model?.graph;
    const containers = g ? [...g.model.containers].sort(byDisplay) : [];
    title.textContent = `containers (${containers.length})`;
    probe('containers', containers.length);
    if (!g) body.append(h('p', 'note', 'no graph yet'));
    else if (containers.length === 0) {
      body.append(h('p', 'note', 'no containers: every process runs on the host'));
    } else {
      const index = this.#indexOf(g);
      list(body, containers, (c) => this.#entry(c, index), h('ul', 'entries'));
    }
    this.#markSelected();
  }

  /** A container: its line (a click selects it) and its namespaces' chips. */
  #entry(c: Container, index: Index): HTMLElement {
    const li = h('li');
    li.dataset.container = c.key;
    const namespaces = index.namespaces.get(c.key) ?? [];
    const main = standsFor(namespaces);
    const line = button('link container-link', index.text.line(c), () => {
      if (main) this.#go(main.key);
    });
    if (main) line.dataset.key = main.key;
    else line.disabled = true;
    const chips = h('div', 'chips');
    chips.append(...namespaces.map((ns) => this.#chip(ns)));
    li.append(line, chips);
    this.#entries.set(c.key, li);
    return li;
  }

  /** A namespace of a container, in its type's colours; dashed when the filters do not draw it. */
  #chip(ns: Namespace): HTMLElement {
    const chip = button(`chip t-${ns.type}`, nsId(ns), () => this.#go(ns.key));
    chip.dataset.key = ns.key;
    const svg = this.#parts.drawing.svg;
    if (!svg || !elementFor(svg, ns.key)) {
      chip.classList.add('undrawn');
      chip.title = 'not drawn (hidden by the filters)';
    }
    return chip;
  }

  #go(key: NsKey): void {
    goTo(this.#parts, key);
  }

  /** Mark the entries of the containers the selected namespace belongs to. */
  #markSelected(): void {
    const key = this.#parts.selection.key;
    const namespaces = this.#index?.namespaces;
    for (const [c, li] of this.#entries) {
      const holds = key !== undefined && (namespaces?.get(c) ?? []).some((n) => n.key === key);
      li.setAttribute('aria-current', String(holds));
    }
  }
}
