/**
 * The package root: `import { getNsType, discover, ... } from 'graphns'`.
 *
 * - the relations API of the seed (linuxns-rel): getNsType, getUserNs,
 *   getParentNs, getOwnerUid, getNsId, NamespaceFile, the constants;
 * - discover(): one model of every namespace visible from here;
 *   discoverySeries(): scans repeated cheaply, closed when done;
 * - the model's JSON form (serializeModel/parseModel) and lookups (graphOf);
 * - the lsuserns/lspidns tree text (userTree/pidTree).
 */
export * from './relations';
export { hasCode, type SystemError } from '../native-shim';
export {
  discover,
  discoverySeries,
  DiscoverySeries,
  type DiscoverOptions,
  type ScanOptions,
} from './discover';
export * from './model';
export { userTree, pidTree, type TreeOptions } from './emit';
