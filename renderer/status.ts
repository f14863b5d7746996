/**
 * What the page says in words: the status line at the bottom (what is
 * drawn, the zoom, the latest note, how to get help) and the error box
 * over the drawing (the graph could not be had, laid out or saved).
 */
import type { GraphPayload } from '../main/contract';
import { probe } from './probes';

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The status line's words for a drawn graph: namespaces, warnings, how a large graph is drawn. */
export function drawnSummary(result: GraphPayload, large: boolean): string {
  const w = result.warnings.length;
  let summary = count(result.namespaces, 'namespace');
  if (w) summary += `, ${count(w, 'warning')} (some of the system out of sight)`;
  if (large) summary += ', large graph: dashed arrows drawn faint';
  return summary;
}

/** The status line. */
export class StatusLine {
  readonly #el: HTMLElement;
  #summary = '';
  #zoom = '';
  #note = '';

  constructor(el: HTMLElement) {
    this.#el = el;
  }

  /** A short message (it stays until the next one). */
  say(text: string): void {
    this.#note = text;
    this.#render();
  }

  /** What is drawn (drawnSummary). */
  summarize(text: string): void {
    this.#summary = text;
    this.#render();
  }

  /** The zoom, and whether a large graph's labels are hidden at it. */
  zoomed(realZoom: number, labelsHidden: boolean): void {
    const hint = labelsHidden ? ' (zoom in to read the labels)' : '';
    this.#zoom = `zoom ${Math.round(realZoom * 100)}%${hint}`;
    this.#render();
  }

  #render(): void {
    const parts = [this.#summary, this.#zoom, this.#note, 'h: help'];
    this.#el.textContent = parts.filter(Boolean).join('  ·  ');
    this.#el.title = this.#el.textContent; // all of it on hover, when the line is cut
  }
}

/** The error box over the drawing. */
export class ErrorBox {
  readonly #el: HTMLElement;

  constructor(el: HTMLElement) {
    this.#el = el;
  }

  /** Show `message`; the page is in its error state. */
  show(message: string): void {
    this.#el.textContent = message;
    this.#el.hidden = false;
    probe('state', 'error');
  }

  /** A graph is on screen again. */
  clear(): void {
    this.#el.hidden = true;
  }
}
