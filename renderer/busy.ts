/**
 * The busy indicator: says what the viewer is doing and for how long, and
 * measures the longest gap between animation frames meanwhile (the page
 * must keep painting while the worker lays out a large graph).
 */

/** Shows `label… 1.2 s` in `el` while work runs. */
export class Busy {
  #el: HTMLElement;
  #text: HTMLElement;
  #timer: number | undefined;
  #frame: number | undefined;
  #maxGap = 0;

  constructor(el: HTMLElement, text: HTMLElement) {
    this.#el = el;
    this.#text = text;
  }

  /** Longest gap between two animation frames while busy, in ms. */
  get maxFrameGap(): number {
    return this.#maxGap;
  }

  /** Show the indicator with `label` and start the clock. */
  start(label: string): void {
    this.stop();
    const t0 = performance.now();
    this.#maxGap = 0;
    const tick = () => {
      this.#text.textContent = `${label}… ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    };
    tick();
    this.#el.hidden = false;
    this.#timer = window.setInterval(tick, 100);
    let last = t0;
    const frame = (t: number) => {
      this.#maxGap = Math.max(this.#maxGap, t - last);
      last = t;
      this.#frame = requestAnimationFrame(frame);
    };
    this.#frame = requestAnimationFrame(frame);
  }

  /** Hide the indicator. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#timer = this.#frame = undefined;
    this.#el.hidden = true;
  }
}
