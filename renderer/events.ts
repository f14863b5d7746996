/**
 * The page's events. Each event names its steps, in the order they run,
 * and every listener says which step it belongs to: what must happen
 * first (the overlay taking a new drawing before anything marks it) is
 * written down where the event is declared, not left to the order in
 * which features happened to be installed. Listeners of one step must
 * not depend on each other. Every subscription is disposable: a feature
 * that listens only while it is open (a panel) lets go when it closes.
 */

/** Something that can be let go of. */
export interface Disposable {
  dispose(): void;
}

interface Listener<T> {
  step: number;
  run: (value: T) => void;
  gone?: boolean;
}

/** An event carrying a `T`, with the steps `S` its listeners run in. */
export class Signal<T, S extends string = string> {
  readonly #steps: readonly S[];
  #listeners: Listener<T>[] = [];

  /** `steps`: the steps in the order they run. */
  constructor(steps: readonly S[]) {
    this.#steps = steps;
  }

  /** Run `run` at step `step` of every emit, until disposed. */
  on(step: S, run: (value: T) => void): Disposable {
    const at = this.#steps.indexOf(step);
    if (at < 0) throw new Error(`no step ${step}: ${this.#steps.join(', ')}`);
    const l: Listener<T> = { step: at, run };
    // after every listener of its step and those before: the list stays in step order
    const i = this.#listeners.findIndex((x) => x.step > at);
    if (i < 0) this.#listeners.push(l);
    else this.#listeners.splice(i, 0, l);
    return {
      dispose: () => {
        l.gone = true;
        this.#listeners = this.#listeners.filter((x) => x !== l);
      },
    };
  }

  /** Tell every listener, step by step (one added meanwhile waits for the next time, one disposed is not told). */
  emit(value: T): void {
    for (const l of [...this.#listeners]) if (!l.gone) l.run(value);
  }
}

/** Let go of all of `subscriptions`. */
export function disposeAll(subscriptions: Disposable[]): void {
  for (const s of subscriptions.splice(0)) s.dispose();
}
