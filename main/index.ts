/**
 * The package root: `import { getNsType, ... } from 'graphns'`.
 *
 * The relations API of the seed (linuxns-rel). Later layers (discovery,
 * model, emitters) are exported here as they land.
 */
export * from './relations';
export { hasCode, type SystemError } from '../native-shim';
