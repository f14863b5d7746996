/**
 * emit: presentations of the model. Pure: model in, string out.
 */
export {
  drawDot,
  modelToDot,
  dotText,
  edgeSvgId,
  rowSvgId,
  svgId,
  type DotDrawing,
  type DotOptions,
} from './dot';
export {
  applyOverview,
  revealKeys,
  thousands,
  type Fan,
  type OverviewMode,
  type OverviewNote,
} from './overview';
export { modelToNetDot } from './net-dot';
export { userTree, pidTree, netTree, type TreeOptions } from './tree';
export {
  podKey,
  selectView,
  type ContainerScope,
  type ViewFilter,
  type ViewSelection,
} from './view';
export { nsDetails, type NsDetails, type ProcessRow } from './details';
export { findIndex, type FindIndex } from './find';
export { nsenterLine, shellWord, type NsenterLine } from './nsenter';
