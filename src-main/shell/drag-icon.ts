// The icon shown under the cursor while dragging an export out. It must be non-empty
// (macOS asserts; a null icon crashed on Windows), so when the bundled PNG cannot be
// loaded a 64×64 bitmap is generated instead.
import type { NativeImage } from 'electron';

export const FALLBACK_ICON_SIZE = 64;

/** A 64×64 BGRA bitmap: a rounded tile in the app colour with a white "document" in it. */
export function fallbackIconBitmap(size = FALLBACK_ICON_SIZE): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const r = size / 8;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const cx = Math.min(x, size - 1 - x);
      const cy = Math.min(y, size - 1 - y);
      const outside = cx < r && cy < r && (r - cx) ** 2 + (r - cy) ** 2 > r * r;
      if (outside) continue; // transparent corner
      const doc = x > size * 0.3 && x < size * 0.7 && y > size * 0.22 && y < size * 0.78;
      // BGRA
      buf[i] = doc ? 255 : 0xc8;
      buf[i + 1] = doc ? 255 : 0x6a;
      buf[i + 2] = doc ? 255 : 0x2b;
      buf[i + 3] = 255;
    }
  }
  return buf;
}

export interface NativeImageFactory {
  createFromPath(path: string): NativeImage;
  createFromBitmap(buffer: Buffer, options: { width: number; height: number }): NativeImage;
}

/** The drag icon from `iconPath`, or the generated fallback when that is missing or empty. */
export function loadDragIcon(factory: NativeImageFactory, iconPath: string | undefined): NativeImage {
  if (iconPath) {
    try {
      const img = factory.createFromPath(iconPath);
      if (!img.isEmpty()) return img;
    } catch {
      // fall through to the generated icon
    }
  }
  return factory.createFromBitmap(fallbackIconBitmap(), { width: FALLBACK_ICON_SIZE, height: FALLBACK_ICON_SIZE });
}
