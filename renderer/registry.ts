/**
 * The page's layout, in one place: the side panels, the side each takes
 * and how wide it is, their keys, what sits below the filter bar, what
 * keeps clear of open panels, and what Escape closes first. The frame
 * (frame.ts) applies it; no other module places anything.
 *
 * Adding a side panel is a module for it (a Panel over a PanelShell,
 * panel.ts) and an entry here: the frame mounts it, places it below the
 * bar on its side, narrows the drawing while it is open, adds its key and
 * help line, and Escape closes it in the order given here.
 */
import { ContainersPanel } from './containers';
import { DetailsPanel } from './details';
import type { Panel, PanelParts } from './panel';

/** Where a side panel sits. */
export type Side = 'left' | 'right';

/** One side panel. */
export interface PanelEntry {
  /** Its element's id (its parts' ids start with it: `<id>-title`, `<id>-body`, `<id>-close`). */
  id: string;
  side: Side;
  /** Its width (CSS): the drawing narrows by as much while it is open. */
  width: string;
  /** What Escape's help line calls it. */
  name: string;
  /** The keys that open and close it, and the help's words for them. */
  key?: { keys: readonly string[]; help: string };
  make(parts: PanelParts): Panel;
}

/** The side panels. Panels on one side stand side by side, the first at the window's edge. */
export const PANELS: readonly PanelEntry[] = [
  {
    id: 'containers',
    side: 'left',
    width: '24em',
    name: 'the containers panel',
    key: {
      keys: ['a'],
      help: 'containers: every container with its engine, pod and namespaces (a click selects)',
    },
    make: (parts) => new ContainersPanel(parts),
  },
  {
    id: 'details',
    side: 'right',
    width: '27em',
    name: 'the details',
    make: (parts) => new DetailsPanel(parts),
  },
];

/** The page's own elements below the filter bar, however many lines it wraps to (and every panel). */
export const UNDER_BAR: readonly string[] = ['graph', 'marks', 'find'];

/** Elements that end where an open side panel begins: the drawing, its overlay, the find box, the minimap. */
export const BESIDE_PANELS: readonly string[] = ['graph', 'marks', 'find', 'minimap'];

/** The overlays Escape closes besides the panels: the help and the find box, as its help line names them. */
export const OVERLAYS = { help: 'this help', find: 'the find box' } as const;

/** What Escape closes: the first of these that is open (overlays, then panels by id). Every panel is here. */
export const ESCAPE_ORDER: readonly string[] = ['help', 'find', 'details', 'containers'];
