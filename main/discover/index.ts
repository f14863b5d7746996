/**
 * discover: builds the namespace model from /proc and the nsfs ioctls.
 */
export { discover, type DiscoverOptions, type ScanOptions } from './discover';
export { discoverySeries, DiscoverySeries } from './series';
