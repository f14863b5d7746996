/**
 * A small PNG reader for tests: 8-bit RGB or RGBA, not interlaced (what
 * Chromium's canvas.toBlob and its screenshots write). Independent of the
 * code under test: chunks, zlib (node:zlib) and the five row filters of the
 * PNG specification, nothing more.
 */
import { inflateSync } from 'node:zlib';

/** A decoded image: RGBA bytes, row by row. */
export interface Png {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decode `bytes`; throws on anything but 8-bit RGB(A) without interlacing. */
export function decodePng(bytes: Buffer): Png {
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('no PNG signature');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos + 8 <= bytes.length) {
    const len = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}`);
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      cur[i] = (line[i]! + pred) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * channels + k]!;
      out[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** The (r, g, b) at pixel (x, y). */
export function pixel(png: Png, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.rgba[i]!, png.rgba[i + 1]!, png.rgba[i + 2]!];
}

/** The share of pixels that are not (nearly) white. */
export function inked(png: Png): number {
  let n = 0;
  for (let i = 0; i < png.rgba.length; i += 4) {
    if (png.rgba[i]! < 240 || png.rgba[i + 1]! < 240 || png.rgba[i + 2]! < 240) n++;
  }
  return n / (png.width * png.height);
}

/**
 * Mean absolute difference per colour channel (0-255) of two images over
 * the part both cover (top left aligned), comparing a's pixel (x + dx, y)
 * with b's (x, y).
 */
export function meanDifference(a: Png, b: Png, dx = 0): number {
  const w = Math.min(a.width - Math.max(0, dx), b.width + Math.min(0, dx));
  const h = Math.min(a.height, b.height);
  let d = 0;
  for (let y = 0; y < h; y++) {
    for (let x = Math.max(0, -dx); x < w; x++) {
      const i = (y * a.width + x + dx) * 4;
      const j = (y * b.width + x) * 4;
      for (let k = 0; k < 3; k++) d += Math.abs(a.rgba[i + k]! - b.rgba[j + k]!);
    }
  }
  return d / ((w - Math.max(0, -dx)) * h * 3);
}
