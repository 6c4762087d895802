// A real, valid PNG (8-bit RGB, no interlace) drawn from a seed: what `dataacquisition.image`
// points at. Small enough to build in memory; tools such as `file` and browsers decode it.
import { crc32, deflateSync } from 'node:zlib';
import { Rng } from '../../prng';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A gradient with a few seeded discs, so every image has different bytes. */
export function drawPng(width: number, height: number, seed: number): Buffer {
  const rng = new Rng(seed);
  const base = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const discs = Array.from({ length: 3 }, () => ({ x: rng.int(0, width), y: rng.int(0, height), r: rng.int(4, Math.max(5, width / 4)), c: [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)] }));
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      let px = [(base[0] + x * 2) & 255, (base[1] + y * 2) & 255, (base[2] + x + y) & 255];
      for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 <= d.r ** 2) px = d.c;
      raw.set(px, y * stride + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
