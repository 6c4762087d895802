// Sandboxed preload (bundled to out/preload/index.cjs): exposes window.api built from the
// contract, and nothing else. It never exposes ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './build-api';

contextBridge.exposeInMainWorld('api', buildPreloadApi(ipcRenderer));
