/**
 * emit: presentations of the model. Pure: model in, string out.
 */
export { modelToDot, dotText, type DotOptions } from './dot';
export { userTree, pidTree, type TreeOptions } from './tree';
