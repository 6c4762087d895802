// Recording bytes, generated on the fly from a seeded stream: any byte range can be produced without
// the rest, so multi-GB media costs no memory or disk. A short container header makes the files look
// like MP4/WebM to a sniffing tool; the rest is noise.
import { createHash } from 'node:crypto';
import { hash32, mulberry32 } from './prng';

export interface MediaSpec {
  seed: number;
  size: number;
  format: 'mp4' | 'webm';
}

const BLOCK = 64 * 1024;

const HEADERS: Record<MediaSpec['format'], Buffer> = {
  // ftyp box: size 0x18, 'ftyp', brand 'mp42', version, compatible brands.
  mp4: Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex'),
  // EBML magic + doctype "webm".
  webm: Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d', 'hex'),
};

const POOL_SIZE = 1024 * 1024;
let pool: Buffer | null = null;

/** 1 MiB + one block of seeded noise, generated once; blocks are slices of it (fast: a memcpy each). */
function noisePool(): Buffer {
  if (!pool) {
    const words = new Uint32Array((POOL_SIZE + BLOCK) / 4);
    const next = mulberry32(0x5eed);
    for (let i = 0; i < words.length; i++) words[i] = Math.floor(next() * 4294967296);
    pool = Buffer.from(words.buffer);
  }
  return pool;
}

/** Block b of a file: a slice of the pool at a seeded offset, stamped with (seed, b) so blocks never repeat. */
function block(spec: MediaSpec, b: number): Buffer {
  const offset = hash32(spec.seed, b) % POOL_SIZE;
  const buf = Buffer.allocUnsafe(BLOCK);
  noisePool().copy(buf, 0, offset, offset + BLOCK);
  buf.writeUInt32LE(hash32(spec.seed, 'stamp', b), 0);
  buf.writeUInt32LE(b >>> 0, 4);
  if (b === 0) HEADERS[spec.format].copy(buf, 0);
  return buf;
}

/** Bytes [start, end) of the file (clamped to its size). */
export function mediaSlice(spec: MediaSpec, start: number, end: number): Buffer {
  end = Math.min(end, spec.size);
  if (end <= start) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(end - start);
  let pos = start;
  while (pos < end) {
    const b = Math.floor(pos / BLOCK);
    const blockStart = b * BLOCK;
    const data = block(spec, b);
    const from = pos - blockStart;
    const to = Math.min(BLOCK, end - blockStart);
    data.copy(out, pos - start, from, to);
    pos = blockStart + to;
  }
  return out;
}

/** Chunks of [start, end), aligned to the generator's blocks. */
export function* mediaChunks(spec: MediaSpec, start: number, end: number): Generator<Buffer> {
  end = Math.min(end, spec.size);
  let pos = start;
  while (pos < end) {
    const next = Math.min(end, (Math.floor(pos / BLOCK) + 1) * BLOCK);
    yield mediaSlice(spec, pos, next);
    pos = next;
  }
}

const shaCache = new Map<string, string>();

export function mediaSha256(spec: MediaSpec): string {
  const key = `${spec.seed}:${spec.size}:${spec.format}`;
  let hex = shaCache.get(key);
  if (!hex) {
    const h = createHash('sha256');
    for (const chunk of mediaChunks(spec, 0, spec.size)) h.update(chunk);
    hex = h.digest('hex');
    shaCache.set(key, hex);
  }
  return hex;
}

/** A strong validator that changes whenever the bytes would. */
export function mediaEtag(spec: MediaSpec): string {
  return `"${hash32(spec.seed, spec.size, spec.format).toString(16).padStart(8, '0')}${spec.size.toString(16)}"`;
}

export function mediaContentType(format: MediaSpec['format']): string {
  return format === 'mp4' ? 'video/mp4' : 'audio/webm';
}
