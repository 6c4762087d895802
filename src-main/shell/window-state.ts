// Remembers the main window's bounds between runs (a small JSON file in userData),
// ignoring saved bounds that no longer fit any screen.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Rectangle } from 'electron';

export interface SavedWindowState {
  bounds: Rectangle;
  maximized: boolean;
}

export function readWindowState(file: string): SavedWindowState | null {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SavedWindowState;
    const b = s?.bounds;
    if (!b || ![b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n))) return null;
    return { bounds: b, maximized: !!s.maximized };
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: SavedWindowState): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // losing the window size is not worth an error
  }
}

/** Keeps bounds only when at least 100×100 px of them is on one of the displays' work areas. */
export function visibleBounds(bounds: Rectangle, workAreas: Rectangle[]): Rectangle | undefined {
  const onScreen = workAreas.some((a) => {
    const w = Math.min(bounds.x + bounds.width, a.x + a.width) - Math.max(bounds.x, a.x);
    const h = Math.min(bounds.y + bounds.height, a.y + a.height) - Math.max(bounds.y, a.y);
    return w >= 100 && h >= 100;
  });
  return onScreen ? bounds : undefined;
}
