/**
 * Snapshots opened in the window: a file dropped on it (on "open" or on
 * "compare"), chosen in its file chooser (`o` opens, `k` compares), or
 * handed over by a second `graphns --open` (the contract's nextSnapshot).
 * The page reads the file itself (the File API) and checks it as --open
 * does (the same size limit, parseModel): a file that does not check out
 * is refused with a message and the window stays as it was. Nothing here
 * names a path to the Node side: a file comes from the user's own choice
 * in the chooser or the drop, and only its name is shown.
 *
 * Opening shows the snapshot in place of what was drawn (drawing.show with
 * a result made here, snapshot.ts); `r` goes back to the Node side's graph
 * (refresh.ts), and live refresh pauses meanwhile. Comparing keeps the
 * newer of the two drawn (a live scan always) and hands the older to the
 * changes notice as the baseline (changes.ts): added and changed
 * namespaces marked, everything listed and counted.
 */
import { NEXT_SNAPSHOT_WAIT_MS, SNAPSHOT_MAX_BYTES, type ViewerApi } from '../main/contract';
import { escapeDisplay } from '../main/model/names';
import type { ChangesNotice } from './changes';
import { byId } from './dom';
import type { Drawing } from './drawing';
import type { Commands } from './keys';
import type { PageModel } from './page';
import { probe } from './probes';
import { backTo } from './refresh';
import {
  fileIsNewer,
  readSnapshotText,
  sizeRefusal,
  snapshotResult,
  snapshotWords,
  takenAt,
} from './snapshot';

/** What the next chosen or dropped file is for. */
type Purpose = 'open' | 'compare';

/** How long a refusal stays on screen (it also goes on a click). */
const NOTE_MS = 15_000;

/** What the opener works with. */
export interface OpenerContext {
  drawing: Drawing;
  api: ViewerApi;
  changes: ChangesNotice;
  say(text: string): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Opening and comparing snapshot files in the window. */
export class Opener {
  readonly #ctx: OpenerContext;
  readonly #els: {
    input: HTMLInputElement;
    drop: HTMLElement;
    zones: Record<Purpose, HTMLElement>;
    note: HTMLElement;
  };
  #purpose: Purpose = 'open';
  /** The Node side's graph while a snapshot of the page's is shown (what `r` goes back to). */
  #node: Drawing['result'];
  /** dragenter minus dragleave over the window: the drop targets show while above zero. */
  #dragDepth = 0;
  #noteTimer: ReturnType<typeof setTimeout> | undefined;
  #opens = 0;
  #refused = 0;
  /** The file a comparison is being read from (one at a time). */
  #working = false;
  /** Its keys' handlers. */
  readonly commands: Commands<'openSnapshot' | 'compareSnapshot'> = {
    openSnapshot: () => this.choose('open'),
    compareSnapshot: () => this.choose('compare'),
  };

  constructor(ctx: OpenerContext) {
    this.#ctx = ctx;
    this.#els = {
      input: byId<HTMLInputElement>('open-file'),
      drop: byId('drop'),
      zones: { open: byId('drop-open'), compare: byId('drop-compare') },
      note: byId('open-note'),
    };
    const { input, note } = this.#els;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.value = ''; // the same file chosen again is a change again
      if (file) void this.take(file, this.#purpose);
    });
    note.addEventListener('click', () => this.#hideNote());
    this.#listenForDrops();
    // r (refresh.ts) goes back to the Node side's graph: no snapshot of ours shown then
    ctx.drawing.drawn.on('panels', () => probe('opened', ctx.drawing.opened));
  }

  /** Open the file chooser for `purpose` (`o`: open, `k`: compare with what is shown). */
  choose(purpose: Purpose): void {
    if (purpose === 'compare' && !this.#ctx.drawing.model) {
      this.#refuse('nothing is shown yet to compare with');
      return;
    }
    this.#purpose = purpose;
    this.#ctx.say(
      purpose === 'open'
        ? 'choose a snapshot to open (graphns -J, lsnetns -J)'
        : 'choose a snapshot to compare what is shown with',
    );
    this.#els.input.click();
  }

  /** Read `file` and open it, or compare what is shown with it; refused with a message when it does not check out. */
  async take(file: File, purpose: Purpose): Promise<void> {
    const refusal = sizeRefusal(file.name, file.size);
    if (refusal) return this.#refuse(refusal);
    let text: string;
    try {
      this.#ctx.say(`reading ${escapeDisplay(file.name)}…`);
      text = await file.text();
    } catch (err) {
      return this.#refuse(
        `${escapeDisplay(file.name)} could not be read: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    await this.#takeText(file.name, text, purpose);
  }

  /** Take snapshots a second graphns --open hands to this window, for as long as the page lives. */
  listen(): void {
    void this.#receive();
  }

  async #receive(): Promise<void> {
    for (;;) {
      const t0 = performance.now();
      let handed;
      try {
        handed = await this.#ctx.api.nextSnapshot();
      } catch {
        await sleep(NEXT_SNAPSHOT_WAIT_MS); // the Node side is busy or gone: later
        continue;
      }
      if (handed) {
        window.focus();
        await this.#takeText(handed.name, handed.text, 'open', 'from graphns --open');
      } else if (performance.now() - t0 < 1000) {
        await sleep(NEXT_SNAPSHOT_WAIT_MS); // a shell that hands nothing over answers at once
      }
    }
  }

  async #takeText(name: string, text: string, purpose: Purpose, how = ''): Promise<void> {
    // a handed-over text is capped on the Node side; a character is at least a byte
    if (text.length > SNAPSHOT_MAX_BYTES) {
      return this.#refuse(sizeRefusal(name, text.length)!);
    }
    if (this.#working) return this.#refuse(`${escapeDisplay(name)}: still reading the last one`);
    this.#working = true;
    try {
      const pm = readSnapshotText(name, text);
      if ('refused' in pm) return this.#refuse(pm.refused);
      this.#hideNote();
      if (purpose === 'open') await this.#open(name, text, pm, how);
      else await this.#compare(name, text, pm);
    } finally {
      this.#working = false;
    }
  }

  /** Show the snapshot instead of what is drawn. */
  async #open(name: string, text: string, pm: PageModel, how: string): Promise<void> {
    const { drawing, changes } = this.#ctx;
    const node = drawing.opened === undefined ? drawing.result : this.#node;
    this.#node = node;
    const f = drawing.filter;
    const result = snapshotResult(name, text, pm, { details: f.details, net: f.netStart });
    changes.dismiss(); // what it noted was of the view before
    await drawing.show(result, { model: pm, opened: name });
    probe('opened', name);
    probe('opens', ++this.#opens);
    const back = node ? `; r goes back to ${backTo(node)}` : '';
    this.#ctx.say(
      `showing snapshot ${escapeDisplay(snapshotWords(name, pm))}${how ? ` ${how}` : ''}${back}`,
    );
  }

  /** What is drawn now, in the notice's words. */
  #shownWords(): string {
    const { drawing } = this.#ctx;
    const pm = drawing.model;
    const time = pm ? takenAt(pm.model.host.time) : '';
    if (drawing.opened !== undefined && pm) return snapshotWords(drawing.opened, pm);
    const file = drawing.result?.snapshot;
    if (file !== undefined && pm) return snapshotWords(file, pm);
    return `the live scan (${time})`;
  }

  /** Compare what is shown with the snapshot: the newer drawn, the older the baseline. */
  async #compare(name: string, text: string, pm: PageModel): Promise<void> {
    const { drawing, changes } = this.#ctx;
    const shown = drawing.model;
    if (!shown) return this.#refuse('nothing is shown yet to compare with');
    const live = drawing.opened === undefined && drawing.result?.snapshot === undefined;
    const file = { time: pm.model.host.time };
    if (fileIsNewer({ live, time: shown.model.host.time }, file)) {
      const before = this.#shownWords();
      await this.#open(name, text, pm, '');
      changes.compare(shown, before, () => this.#shownWords());
    } else {
      changes.compare(pm, snapshotWords(name, pm), () => this.#shownWords());
    }
    this.#ctx.say(`comparing with ${escapeDisplay(changes.comparing ?? name)}; x ends it`);
  }

  /** Refused: the message on screen (and the status line); nothing else changes. */
  #refuse(why: string): void {
    const { note } = this.#els;
    note.textContent = why;
    note.hidden = false;
    clearTimeout(this.#noteTimer);
    this.#noteTimer = setTimeout(() => this.#hideNote(), NOTE_MS);
    probe('refused', ++this.#refused);
    this.#ctx.say(why);
  }

  #hideNote(): void {
    clearTimeout(this.#noteTimer);
    this.#els.note.hidden = true;
  }

  /**
   * Files dragged over the window show two targets, "open" and "compare";
   * a drop anywhere else opens. The browser's own handling (navigating to
   * the file, which would leave the viewer) never happens.
   */
  #listenForDrops(): void {
    const { drop, zones } = this.#els;
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const show = (on: boolean) => {
      drop.hidden = !on;
      if (!on) for (const z of Object.values(zones)) z.classList.remove('over');
    };
    window.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      this.#dragDepth++;
      show(true);
    });
    window.addEventListener('dragleave', () => {
      if (this.#dragDepth > 0 && --this.#dragDepth === 0) show(false);
    });
    window.addEventListener('dragover', (e) => {
      e.preventDefault(); // a drop anywhere is ours
      if (!hasFiles(e) || !e.dataTransfer) return;
      e.dataTransfer.dropEffect = 'copy';
      for (const [p, z] of Object.entries(zones)) {
        z.classList.toggle('over', z.contains(e.target as Node) || (p === 'open' && !inZone(e)));
      }
    });
    const inZone = (e: Event) =>
      Object.values(zones).some((z) => z.contains(e.target as Node | null));
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      this.#dragDepth = 0;
      show(false);
      const files = e.dataTransfer?.files;
      const file = files?.[0];
      if (!file) return;
      const purpose: Purpose = zones.compare.contains(e.target as Node | null) ? 'compare' : 'open';
      if (files.length > 1) this.#ctx.say(`one file at a time: ${escapeDisplay(file.name)}`);
      void this.take(file, purpose);
    });
  }
}
