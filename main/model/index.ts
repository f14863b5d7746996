/**
 * model: the plain-data namespace model, its JSON form and lookups. Pure:
 * no I/O, no kernel; it never knows how it was discovered.
 */
export * from './types';
export type { LinkEnd, NetAddress, NetInterface } from './interfaces';
export { MODEL_FORMAT, MODEL_VERSION, ModelFormatError, parseModel, serializeModel } from './json';
export { graphOf, type ModelGraph } from './graph';
export { decodeBytes, encodeBytes, escapeDisplay } from './names';
