/**
 * layout: Node-only output of the graph: Graphviz (WebAssembly) turns DOT
 * into SVG, and a safe writer puts it on disk. Model, emit and discover
 * never import it: they know nothing of layout or files.
 */
export {
  dotToSvg,
  layoutErrorKind,
  layoutOrFail,
  loadGraphviz,
  LayoutError,
  preferFastStartup,
} from './svg';
export type { LayoutErrorKind, LayoutOutcome } from './svg';
export { checkOutputTarget, writeFileAtomic, OutputFileError } from './file';
