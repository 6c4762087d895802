import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useNativeCrc32ForYazl } from '../../../src-main/core/export/zip/native-crc32';

// The table-driven CRC-32 the native one replaces, as the reference.
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function referenceCrc(buf: Buffer, previous = 0): number {
  let crc = (previous ^ -1) >>> 0;
  for (const b of buf) crc = (TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8)) >>> 0;
  return (crc ^ -1) >>> 0;
}

describe('useNativeCrc32ForYazl', () => {
  it("gives yazl's buffer-crc32 the same results, chained or not, for every argument form", () => {
    expect(useNativeCrc32ForYazl()).toBe(true);
    const req = createRequire(createRequire(import.meta.url).resolve('yazl'));
    const crc = req('buffer-crc32') as { unsigned: (b: unknown, p?: unknown) => number };
    for (const size of [0, 1, 7, 1000, 70_000]) {
      const a = randomBytes(size);
      const b = randomBytes(size + 3);
      expect(crc.unsigned(a)).toBe(referenceCrc(a));
      const chained = crc.unsigned(b, crc.unsigned(a));
      expect(chained).toBe(referenceCrc(Buffer.concat([a, b])));
      const prevBuf = Buffer.alloc(4);
      prevBuf.writeUInt32BE(crc.unsigned(a));
      expect(crc.unsigned(b, prevBuf)).toBe(chained);
    }
    expect(crc.unsigned('hello')).toBe(referenceCrc(Buffer.from('hello')));
    expect(useNativeCrc32ForYazl()).toBe(true); // idempotent
  });
});
