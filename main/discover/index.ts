/**
 * discover: builds the namespace model from /proc and the nsfs ioctls.
 */
export { discover, type DiscoverOptions } from './discover';
