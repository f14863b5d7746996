/**
 * A snapshot file the page reads itself (dropped on the window, chosen in
 * its file chooser, or handed over by a second graphns --open): checked
 * as --open checks one (the same size limit, parseModel), and made into
 * the graph result the drawing shows, with the DOT the Node side would
 * have written for it. Pure: no DOM, so unit tests run it.
 */
import { SNAPSHOT_MAX_BYTES, type GraphPayload } from '../main/contract';
import { drawDot } from '../main/emit/dot';
import { modelToNetDot } from '../main/emit/net-dot';
import { graphOf, type ModelGraph } from '../main/model/graph';
import { parseModel } from '../main/model/json';
import { escapeDisplay } from '../main/model/names';
import type { Model } from '../main/model/types';

/** A model with its indexes (page.ts's PageModel; not imported: page.ts is DOM code, this is not). */
export interface ReadModel {
  model: Model;
  graph: ModelGraph;
}

/** `256 MiB` */
const LIMIT = `${SNAPSHOT_MAX_BYTES / (1024 * 1024)} MiB`;

/** Why a file of `bytes` is not read (larger than --open reads), or undefined. */
export function sizeRefusal(name: string, bytes: number): string | undefined {
  if (bytes <= SNAPSHOT_MAX_BYTES) return undefined;
  return `${escapeDisplay(name)} is not opened: larger than ${LIMIT}, the limit for a snapshot`;
}

/**
 * The model in a snapshot's text, parsed and checked as --open does, or
 * why not, in one line (the file's name escaped: it is the user's, but
 * any bytes).
 */
export function readSnapshotText(name: string, text: string): ReadModel | { refused: string } {
  try {
    const model = parseModel(text);
    return { model, graph: graphOf(model) };
  } catch (err) {
    // a model error quotes the bad value (bounded, raw): escaped here, as the command line prints it
    const why = escapeDisplay(err instanceof Error ? err.message : String(err));
    return { refused: `${escapeDisplay(name)} is not a usable graphns snapshot: ${why}` };
  }
}

/** When a model was taken, in words: `2026-01-02 10:00:00 UTC`, or the text as it is (raw). */
export function takenAt(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? time : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A model in the notice's and the status line's words (raw: escape to show): `before.json (host a, 2026-01-02 10:00:00 UTC)`. */
export function snapshotWords(name: string, model: ReadModel): string {
  const h = model.model.host;
  return `${name} (${h.hostname}, ${takenAt(h.time)})`;
}

/** How the drawing starts for any graph: with -d or not, the wiring or not (the command line's). */
export interface Start {
  details: boolean;
  net: boolean;
}

/**
 * The graph result of a snapshot the page read, as the Node side would
 * have sent it for `--open` with the same flags: its DOT, its model's
 * JSON (the text as read), a title naming the snapshot.
 */
export function snapshotResult(
  name: string,
  text: string,
  pm: ReadModel,
  start: Start,
): GraphPayload {
  const m = pm.model;
  return {
    ok: true,
    // the overview's note too, when a large snapshot is drawn as one (as the Node side's is)
    ...(start.net ? { dot: modelToNetDot(m) } : drawDot(m, { details: start.details })),
    details: start.details,
    ...(start.net && { net: true }),
    modelJson: text,
    title: `graphns — ${escapeDisplay(m.host.hostname)} (snapshot ${escapeDisplay(name)})`,
    namespaces: m.namespaces.length,
    warnings: m.warnings,
  };
}

/**
 * Which of two models a comparison draws: the newer (its changes are
 * since the older), but a live scan always (it is now). True when the
 * chosen file should be drawn instead of what is shown.
 */
export function fileIsNewer(
  shown: { live: boolean; time: string },
  file: { time: string },
): boolean {
  if (shown.live) return false;
  const a = Date.parse(shown.time);
  const b = Date.parse(file.time);
  return !Number.isNaN(a) && !Number.isNaN(b) && b > a;
}
