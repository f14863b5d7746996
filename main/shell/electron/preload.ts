/**
 * The Electron preload: the contract (ViewerApi) as `window.graphns`, one
 * function per channel, in the page's isolated world. ipcRenderer itself is
 * never exposed, and each function sends only its own channel with a
 * plain argument.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type ViewerApi } from '../../contract';

const api: ViewerApi = {
  getGraph: () => ipcRenderer.invoke(CHANNELS.getGraph),
  rediscover: () => ipcRenderer.invoke(CHANNELS.rediscover),
  saveSvg: (svgText: string) => ipcRenderer.invoke(CHANNELS.saveSvg, String(svgText)),
  savePng: (pngBase64: string) => ipcRenderer.invoke(CHANNELS.savePng, String(pngBase64)),
  quit: () => ipcRenderer.invoke(CHANNELS.quit),
  windowBounds: (b) =>
    ipcRenderer.invoke(CHANNELS.windowBounds, {
      x: Number(b.x),
      y: Number(b.y),
      width: Number(b.width),
      height: Number(b.height),
    }),
  nextSnapshot: () => ipcRenderer.invoke(CHANNELS.nextSnapshot),
};

contextBridge.exposeInMainWorld('graphns', api);
