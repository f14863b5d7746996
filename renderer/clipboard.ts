/**
 * Copying text for the user: the id and the nsenter line of the details
 * panel, the DOT of what is drawn (`y`). The clipboard may refuse (no
 * permission, an unfocused window, a browser policy): then the text is
 * shown selected in a field, ready for Ctrl+C, and the status line says
 * why. One implementation, so every copy fails the same helpful way.
 *
 * `<html data-copied>` says what was copied last, `fallback:<what>` when
 * the clipboard refused (probes.ts).
 */
import { h } from './dom';
import { probe } from './probes';

/** Where the field shown on refusal goes, and who gets the focus back after. */
export interface CopyPlace {
  /** The control the copy came from: Escape in the field returns to it. */
  from?: HTMLElement;
  /** The field goes right before this element; without it, it floats above the status line. */
  before?: Element;
}

/** The clipboard, and the field that stands in for it when it refuses. */
export class Clipboard {
  readonly #say: (text: string) => void;
  readonly #box: HTMLElement;
  readonly #field: HTMLInputElement;
  #from: HTMLElement | undefined;

  /** `say` puts a line on the status line. */
  constructor(say: (text: string) => void) {
    this.#say = say;
    this.#box = h('div');
    this.#box.id = 'copy-fallback';
    this.#box.hidden = true;
    this.#field = h('input');
    this.#field.id = 'copy-fallback-text';
    this.#field.type = 'text';
    this.#field.readOnly = true;
    this.#field.spellcheck = false;
    const label = h('label', undefined, 'the clipboard refused: copy this with Ctrl+C');
    label.append(this.#field);
    this.#box.append(label);
    this.#field.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      this.dismiss();
      this.#from?.focus();
    });
  }

  /**
   * Copy `text` (`what` names it for the status line: `the id`); `done` is
   * what the status line says when it worked. Resolves with whether the
   * clipboard took it.
   */
  async copy(text: string, what: string, place: CopyPlace = {}, done = `copied ${what}`) {
    this.#from = place.from;
    try {
      await navigator.clipboard.writeText(text);
      this.dismiss();
      probe('copied', what);
      this.#say(done);
      return true;
    } catch (err) {
      this.#offer(text, place);
      probe('copied', `fallback:${what}`);
      const why = err instanceof Error ? err.message : String(err);
      this.#say(
        `the clipboard refused (${why}): ${what} is selected in the field shown, copy it with Ctrl+C`,
      );
      return false;
    }
  }

  /** Hide the field (a new selection, Escape). */
  dismiss(): void {
    this.#box.hidden = true;
  }

  /** Show `text` selected in the field, where `place` says. */
  #offer(text: string, place: CopyPlace): void {
    if (place.before) place.before.before(this.#box);
    else document.body.append(this.#box);
    this.#box.classList.toggle('floating', !place.before);
    this.#field.value = text;
    this.#box.hidden = false;
    this.#field.focus();
    this.#field.select();
  }
}
