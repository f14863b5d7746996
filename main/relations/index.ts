/**
 * relations: the seed's API (linuxns-rel) in TypeScript idiom. Depends only
 * on native-shim.
 */
export * from './constants';
export { NamespaceFile } from './nsfile';
export { getNsType, getUserNs, getParentNs, getOwnerUid, getNsId, type NsRef } from './relations';
export { openNamespace, checkNamespaceFd, NSFS_MAGIC } from './open';
