/**
 * Export: the drawing as SVG (`s`), as PNG, either what the window shows
 * (`p`) or the whole graph at 1x (`P`), and the DOT of what is drawn
 * copied to the clipboard (`y`).
 *
 * A PNG is Graphviz's SVG as laid out, so it is the light drawing whatever
 * the viewer's theme (a file should not depend on the screen it was saved
 * from), drawn by the browser itself: an <img> of a `data:` URL of the SVG
 * (the CSP allows data: images, not blob: ones) into a canvas, encoded with
 * canvas.toBlob, and sent as base64 through the contract. The Node side
 * checks that the bytes are a PNG and alone picks the file, exactly as for
 * SVG (main/shell/save.ts).
 *
 * `<html data-export>` is `busy` from the key to the outcome, then `png`,
 * `dot` or `failed` (for tests; the status line says it in words).
 */
import type { ViewerApi } from '../main/contract';
import type { Clipboard } from './clipboard';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import { probe } from './probes';

/**
 * Chromium's canvas limits (measured on Chromium 156: a side of 65535
 * pixels and 2^28 pixels in all; one pixel more and toBlob gives nothing).
 * A whole graph larger than that at 1x is drawn smaller, and the status
 * line says by how much.
 */
export const MAX_CANVAS_SIDE = 65535;
export const MAX_CANVAS_AREA = 2 ** 28;

/** A PNG to draw: which part of the SVG (its user units) at what pixel size. */
interface Shot {
  viewBox: { x: number; y: number; width: number; height: number };
  width: number;
  height: number;
  /** Pixels per SVG unit, when the whole graph had to be drawn below 1x. */
  scaled?: number;
}

/** The pixel size of `width` x `height` SVG units at 1x, shrunk to fit the canvas limits. */
export function fitCanvas(
  width: number,
  height: number,
): { width: number; height: number; scale: number } {
  const w = Math.max(1, Math.ceil(width));
  const h = Math.max(1, Math.ceil(height));
  const scale = Math.min(
    1,
    MAX_CANVAS_SIDE / w,
    MAX_CANVAS_SIDE / h,
    Math.sqrt(MAX_CANVAS_AREA / (w * h)),
  );
  if (scale === 1) return { width: w, height: h, scale };
  return {
    width: Math.max(1, Math.min(MAX_CANVAS_SIDE, Math.floor(w * scale))),
    height: Math.max(1, Math.min(MAX_CANVAS_SIDE, Math.floor(h * scale))),
    scale,
  };
}

/** The root `viewBox` of the laid-out SVG (Graphviz always writes one). */
function viewBoxOf(root: Element): Shot['viewBox'] {
  const v = (root.getAttribute('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || v[2]! <= 0 || v[3]! <= 0) {
    throw new Error('the drawing has no usable viewBox');
  }
  return { x: v[0]!, y: v[1]!, width: v[2]!, height: v[3]! };
}

/**
 * What the window shows, in the SVG's own units: the corners of the
 * drawing's host (#graph, which clips the SVG: a pan moves the SVG
 * element itself, view.ts) mapped back through svg-pan-zoom's viewport
 * group (inside it the coordinates are the original viewBox's).
 */
function shownRegion(svg: SVGSVGElement): Shot {
  const viewport = svg.querySelector<SVGGraphicsElement>('.svg-pan-zoom_viewport');
  const toScreen = viewport?.getScreenCTM();
  const host = svg.parentElement;
  if (!toScreen || !host) throw new Error('the drawing is not on screen');
  const box = host.getBoundingClientRect();
  const back = toScreen.inverse();
  const a = new DOMPoint(box.left, box.top).matrixTransform(back);
  const b = new DOMPoint(box.right, box.bottom).matrixTransform(back);
  const dpr = window.devicePixelRatio || 1;
  return {
    viewBox: { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y },
    width: Math.max(1, Math.round(box.width * dpr)),
    height: Math.max(1, Math.round(box.height * dpr)),
  };
}

/** `svgText` with its root showing `shot.viewBox` at `shot.width` x `shot.height` pixels. */
function framed(svgText: string, shot: Shot): string {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const root = doc.documentElement;
  if (doc.getElementsByTagName('parsererror').length > 0 || root.localName !== 'svg') {
    throw new Error('the drawing is not well-formed SVG');
  }
  const v = shot.viewBox;
  root.setAttribute('viewBox', `${v.x} ${v.y} ${v.width} ${v.height}`);
  root.setAttribute('width', String(shot.width));
  root.setAttribute('height', String(shot.height));
  root.setAttribute('preserveAspectRatio', 'none');
  return new XMLSerializer().serializeToString(doc);
}

/** PNG bytes of `svgText` drawn at its width and height, on white. */
async function rasterize(svgText: string, width: number, height: number): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  try {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (!blob) throw new Error(`the browser could not make a ${width}×${height} image`);
    return blob;
  } finally {
    canvas.width = 0; // give the bitmap back now, not at the next collection
    img.src = '';
  }
}

/** The base64 of a blob's bytes (FileReader: native, no string building in JS). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the PNG'));
    reader.readAsDataURL(blob);
  });
}

const kib = (n: number) => `${Math.max(1, Math.round(n / 1024))} KiB`;

/** What export works with. */
export interface ExportParts {
  api: ViewerApi;
  drawing: Drawing;
  /** The SVG text on screen, as the layout produced it. */
  svgText: () => string | undefined;
  clipboard: Clipboard;
  /** Say something on the status line. */
  say: (text: string) => void;
  /** An action failed: say so in the error box. */
  fail: (why: string) => void;
}

/**
 * The drawing saved as SVG (`s`) or PNG (`p`, `P`), its DOT copied (`y`):
 * one at a time (keys meanwhile do nothing), and a live refresh waits.
 */
export class Exporter {
  readonly #parts: ExportParts;
  #working = false;
  /** Its keys' handlers. */
  readonly commands: Commands<'save' | 'pngView' | 'pngWhole' | 'copyDot'> = {
    save: () => this.save(),
    pngView: () => this.pngView(),
    pngWhole: () => this.pngWhole(),
    copyDot: () => this.copyDot(),
  };

  constructor(parts: ExportParts) {
    this.#parts = parts;
  }

  /** Whether an export runs now. */
  get busy(): boolean {
    return this.#working;
  }

  /** Save the graph as an SVG file (the Node side picks where). */
  save(): void {
    void this.#exclusive('save', () => this.#saveSvg());
  }

  /** Save what the window shows now as a PNG. */
  pngView(): void {
    void this.#exclusive('PNG', () => this.#savePng('view'));
  }

  /** Save the whole graph as a PNG at 1x (smaller if beyond the canvas limits). */
  pngWhole(): void {
    void this.#exclusive('PNG', () => this.#savePng('whole'));
  }

  /** Copy the DOT of what is drawn to the clipboard. */
  copyDot(): void {
    void this.#exclusive('copy', () => this.#copyDot());
  }

  /** Run one long action at a time; a failure goes to the error box, `label` first. */
  async #exclusive(label: string, work: () => Promise<void>): Promise<void> {
    if (this.#working) return;
    this.#working = true;
    try {
      await work();
    } catch (err) {
      this.#parts.fail(`${label}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.#working = false;
    }
  }

  async #saveSvg(): Promise<void> {
    const svg = this.#parts.svgText();
    if (svg === undefined) return;
    this.#parts.say('saving…');
    const r = await this.#parts.api.saveSvg(svg);
    if (r.saved) this.#parts.say(`saved to ${r.path ?? 'file'}`);
    else this.#parts.say(r.error ? `not saved: ${r.error}` : 'save cancelled');
  }

  /** What to draw for `which`: the part of the SVG the window shows, or all of it at 1x. */
  #shot(which: 'view' | 'whole', text: string, svg: SVGSVGElement): Shot {
    if (which === 'view') return shownRegion(svg);
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const viewBox = viewBoxOf(doc.documentElement);
    const fit = fitCanvas(viewBox.width, viewBox.height);
    const shot: Shot = { viewBox, width: fit.width, height: fit.height };
    if (fit.scale < 1) shot.scaled = fit.scale;
    return shot;
  }

  async #savePng(which: 'view' | 'whole'): Promise<void> {
    const text = this.#parts.svgText();
    const svg = this.#parts.drawing.svg;
    if (text === undefined || !svg) return;
    probe('export', 'busy');
    const shot = this.#shot(which, text, svg);
    const { say, api } = this.#parts;
    say(`making a ${shot.width}×${shot.height} PNG…`);
    const blob = await rasterize(framed(text, shot), shot.width, shot.height);
    const r = await api.savePng(await base64Of(blob));
    const size = `${shot.width}×${shot.height}, ${kib(blob.size)}`;
    // the scale first: the status line may be too narrow for all of it
    const scaled =
      shot.scaled === undefined
        ? ''
        : ` at ${Math.floor(shot.scaled * 100)}% of 1x (at 1x the whole graph is over the ` +
          `browser's canvas limit of ${MAX_CANVAS_SIDE} pixels a side, ${MAX_CANVAS_AREA / 2 ** 20} Mi in all)`;
    if (r.saved) say(`PNG saved${scaled} to ${r.path ?? 'a file'} (${size})`);
    else say(r.error ? `PNG not saved: ${r.error}` : 'PNG save cancelled');
    probe('export', r.saved ? 'png' : 'failed');
  }

  async #copyDot(): Promise<void> {
    const { drawing, clipboard } = this.#parts;
    const dot = drawing.dot;
    if (dot === undefined) return;
    probe('export', 'busy');
    const n = drawing.svg?.querySelectorAll('g.node').length ?? 0;
    const copied = await clipboard.copy(
      dot,
      'the DOT of what is drawn',
      {},
      `copied the DOT of what is drawn (${n} nodes, ${kib(dot.length)}) to the clipboard`,
    );
    probe('export', copied ? 'dot' : 'failed');
  }
}
