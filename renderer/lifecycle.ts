/**
 * The window's life: where it is, told to the Node side for the next run
 * (after a resize settles, and on `q`), and `q` itself, which ends the
 * viewer and graphns with it.
 */
import type { ViewerApi } from '../main/contract';
import type { Commands } from './keys';
import { probe } from './probes';

/** The window's bounds and its end. */
export class WindowLife {
  readonly #api: ViewerApi;
  readonly #say: (text: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Its key's handler. */
  readonly commands: Commands<'quit'> = { quit: () => this.quit() };

  /** `say` puts a note on the status line. */
  constructor(api: ViewerApi, say: (text: string) => void) {
    this.#api = api;
    this.#say = say;
    window.addEventListener('resize', () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#reportBounds(), 500);
    });
  }

  /** Close the viewer and end graphns (`q`). */
  quit(): void {
    probe('state', 'closed');
    this.#say('closing…');
    void this.#reportBounds()
      .then(() => this.#api.quit())
      .catch(() => undefined)
      .finally(() => window.close());
  }

  /** Tell the Node side where the window is, for the next run; a failure only loses that. */
  #reportBounds(): Promise<void> {
    return this.#api
      .windowBounds({
        x: Math.round(window.screenX),
        y: Math.round(window.screenY),
        width: Math.round(window.outerWidth),
        height: Math.round(window.outerHeight),
      })
      .catch(() => undefined);
  }
}
