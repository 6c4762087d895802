// The main window's options, as a pure function so the security settings are unit-tested.
// Electron security checklist items 2–9: isolated, sandboxed, no Node in the page, web security on;
// DevTools only in development.
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of out/preload/index.cjs. */
  preloadPath: string;
  /** Remembered bounds, if any and still on a screen. */
  bounds?: Partial<Rectangle>;
  title?: string;
  /** Icon for Linux/Windows window frames. */
  iconPath?: string;
  /** DevTools are allowed only in development (an unpackaged app); false in packaged builds. */
  devTools: boolean;
}

export const MIN_WIDTH = 900;
export const MIN_HEIGHT = 600;

export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const b = input.bounds ?? {};
  return {
    title: input.title ?? 'Study Downloader',
    width: Math.max(MIN_WIDTH, b.width ?? 1280),
    height: Math.max(MIN_HEIGHT, b.height ?? 820),
    ...(typeof b.x === 'number' && typeof b.y === 'number' ? { x: b.x, y: b.y } : {}),
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: '#1e1e1e',
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: input.devTools,
    },
  };
}
