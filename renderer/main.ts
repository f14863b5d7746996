/**
 * The viewer page, wired: asks the Node side for the graph (through the
 * contract) and hands it to the drawing (drawing.ts), which owns what is
 * shown; the features follow the drawing's and the selection's events, and
 * each supplies the handlers of its keys (keys.ts). Everything
 * data-derived reaches the DOM as text or as parsed SVG, never as HTML;
 * what the page says for tests and benchmarks is written by probes.ts.
 */
import { connect } from './bridge';
import { Busy } from './busy';
import { ChangesNotice } from './changes';
import { Clipboard } from './clipboard';
import { byId } from './dom';
import { Drawing } from './drawing';
import { Exporter } from './export';
import { FilterBar } from './filters';
import { FindBox } from './find';
import { Fit } from './fit';
import { Frame } from './frame';
import { HelpOverlay } from './help';
import { listenForKeys } from './keyboard';
import { FIND_BINDINGS, KEY_BINDINGS, Keymap, type Commands } from './keys';
import { LayoutClient } from './layout';
import { WindowLife } from './lifecycle';
import { installMarks } from './marks';
import { Minimap } from './minimap';
import { Opener } from './open';
import { goTo, type PanelParts } from './panel';
import { Pointer } from './pointer';
import { epochMs, probe } from './probes';
import { Refresh } from './refresh';
import { Relations } from './relations';
import { Selection } from './selection';
import { drawnSummary, ErrorBox, StatusLine } from './status';
import { GraphView } from './view';
import type { NsKey } from '../main/model/types';

// The browser shell answers its spent /launch/<token> address with this page:
// show `/` instead, which the worker's and the API's relative URLs resolve against.
if (location.pathname.startsWith('/launch/')) history.replaceState(null, '', '/');

const api = connect();
const status = new StatusLine(byId('status'));
const say = (text: string) => status.say(text);
const errors = new ErrorBox(byId('error'));
const host = byId('graph');
const view = new GraphView(host, (z, labelsHidden) => {
  status.zoomed(z, labelsHidden);
  probe('zoom', z);
});
const selection = new Selection();
const drawing = new Drawing({
  layout: new LayoutClient(),
  view,
  busy: new Busy(byId('busy'), byId('busy-text')),
  errors,
  say,
  keeping: () => selection.key,
});
drawing.drawn.on('panels', ({ laidOut }) => {
  if (laidOut && drawing.result) status.summarize(drawnSummary(drawing.result, view.large));
});

const marks = installMarks(drawing, view, host);
const relations = new Relations({ drawing, selection, view, marks, say });
const clipboard = new Clipboard(say);
// the filter bar draws a match out of the overview's groups (it owns what is opened)
const find = new FindBox({ drawing, selection, view, marks, reveal: (k) => filters.reveal(k) });
const fit = new Fit({ drawing, selection, view, say });
const minimap = new Minimap(byId('minimap'), host, { drawing, view, marks, say });
const filters = new FilterBar(drawing, selection, say);
new Pointer(host, {
  select: (key) => selection.select(key),
  collapse: (key) => filters.toggleCollapse(key),
  openGroup: (id) => filters.openGroup(id),
  hover: (key) => relations.hover(key),
});
const help = new HelpOverlay(byId('help'));
const panelParts: PanelParts = {
  drawing,
  selection,
  view,
  clipboard,
  say,
  reveal: (k: NsKey) => filters.reveal(k),
};
const frame = new Frame(filters.element, panelParts, { help, find });
const exporter = new Exporter({
  api,
  drawing,
  svgText: () => view.svgText,
  clipboard,
  say,
  fail: (why) => errors.show(why),
});
const changes = new ChangesNotice(drawing);
// as a panel's link: selected and centred; in the overview drawn out of its group first
changes.pick = (key) => goTo(panelParts, key);
const refresh = new Refresh({ drawing, api, changes, busy: () => exporter.busy, note: say });
const opener = new Opener({ drawing, api, changes, say });
const life = new WindowLife(api, say);

/** Each feature's handlers for its keys; the type checks that every action of keys.ts has one. */
const commands: Commands = {
  ...view.commands,
  ...exporter.commands,
  ...refresh.commands,
  ...filters.commands,
  ...find.commands,
  ...fit.commands,
  ...minimap.commands,
  ...help.commands,
  ...frame.commands,
  ...life.commands,
  ...opener.commands,
  ...relations.commands,
};
// the panels bring their keys (registry.ts); the help lists every key, the find box's too
const keymap = new Keymap(frame.bindings(KEY_BINDINGS));
help.list(byId<HTMLTableElement>('help-keys'), [...keymap.bindings, ...FIND_BINDINGS]);
listenForKeys(keymap, { ...commands, ...frame.panelCommands() });

async function start(): Promise<void> {
  drawing.fetching('discovering');
  try {
    const graph = await api.getGraph();
    probe('graphAt', epochMs());
    await drawing.show(graph);
  } catch (err) {
    drawing.fail(`could not get the graph: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// snapshots handed over by a second graphns --open, once the first graph is there
void start().then(() => opener.listen());
