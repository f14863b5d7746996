/**
 * shell: where the Node side meets the viewer page. openViewer() is all
 * graphns needs; the rest (browser server, Electron main and preload,
 * privilege drop, save policy) is reached through it.
 */
export { openViewer, type ViewerOptions } from './viewer';
