// Saved pages: what is written reads back the same (records a line at a time or whole), pages of
// earlier versions (one JSON document) still read, and a file that is not a whole page (torn by
// a power loss, or damaged) is never taken for one: read says absent (fetch it again), and the
// record walk stops with an error rather than write a part of a page.
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageStore, readStreamPages } from '../../../src-main/core/export/run/page-store';
import type { Page } from '../../../src-main/core/sources/source';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studydl-pages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (i: number) => ({ id: `r${i}`, text: i % 7 === 0 ? 'line\nbreak "quoted" \u2028 😀' : `v${i}`, nested: { a: [i, { b: null }] }, ...(i % 11 === 0 ? { __proto__: 'own' } : {}) });

function page(offset: number, count: number, more: boolean): Page {
  return {
    records: Array.from({ length: count }, (_, i) => JSON.parse(JSON.stringify(record(offset + i))) as Record<string, unknown>),
    offset,
    returned: count,
    total: 300,
    hasMore: more,
    nextOffset: more ? offset + count : null,
    warnings: ['a warning'],
    metadata: { pagination: { total: 300 } },
  };
}

async function pageFiles(stream: { dir: string }): Promise<string[]> {
  return (await readdir(stream.dir)).filter((n) => n.endsWith('.json')).sort();
}

describe('page store', () => {
  it('reads back what it wrote, whole and a line at a time', async () => {
    const stream = createPageStore(path.join(dir, 'a')).stream('events:experiment:e1');
    const pages = [page(0, 130, true), page(130, 64, true), page(194, 0, true), page(194, 106, false)];
    // (an empty page in the chain would end the walk early: keep the chain real)
    for (const p of [pages[0], pages[1], pages[3]]) await stream.write(p);
    for (const p of [pages[0], pages[1], pages[3]]) expect(await stream.read(p.offset)).toEqual(p);
    expect(await stream.read(194 + 106)).toBeNull();
    const walked: unknown[] = [];
    for await (const chunk of readStreamPages(stream, 'id')) walked.push(...chunk);
    expect(walked).toEqual([...pages[0].records, ...pages[1].records, ...pages[3].records]);
  });

  it('drops a record the previous page already had (offsets shifted mid-run)', async () => {
    const stream = createPageStore(path.join(dir, 'b')).stream('s');
    const first = page(0, 100, true);
    const second = page(100, 100, false);
    second.records[0] = first.records[99];
    await stream.write(first);
    await stream.write(second);
    const ids: unknown[] = [];
    for await (const chunk of readStreamPages(stream, 'id')) ids.push(...chunk.map((r) => r.id));
    expect(ids).toHaveLength(199);
    expect(new Set(ids).size).toBe(199);
  });

  it('still reads a page saved by an earlier version (one JSON document)', async () => {
    const store = createPageStore(path.join(dir, 'c'));
    const stream = store.stream('s');
    const p = page(0, 150, false);
    await stream.write(p);
    const [file] = await pageFiles(stream);
    await writeFile(path.join(stream.dir, file), JSON.stringify(p));
    expect(await stream.read(0)).toEqual(p);
    const walked: unknown[] = [];
    for await (const chunk of readStreamPages(stream, 'id')) walked.push(...chunk);
    expect(walked).toEqual(p.records);
  });

  it('never takes a torn or damaged file for a page', async () => {
    const stream = createPageStore(path.join(dir, 'd')).stream('s');
    const p = page(0, 200, false);
    await stream.write(p);
    const [file] = await pageFiles(stream);
    const abs = path.join(stream.dir, file);
    const whole = await readFile(abs);
    // Cut at a line break (a whole line lost), in the middle of a line, and zeros at the end.
    const lastBreak = whole.lastIndexOf(0x0a, whole.length - 2);
    for (const damage of [
      () => truncate(abs, lastBreak + 1),
      () => truncate(abs, Math.floor(whole.length / 2)),
      () => writeFile(abs, Buffer.concat([whole.subarray(0, whole.length - 100), Buffer.alloc(100)])),
    ]) {
      await writeFile(abs, whole);
      await damage();
      expect(await stream.read(0)).toBeNull();
      await expect(async () => {
        for await (const chunk of readStreamPages(stream, 'id')) void chunk;
      }).rejects.toThrow(/offset 0 .*(missing|damaged)/);
    }
    // A line that is not JSON but keeps the shape: the walk stops, naming the page.
    const text = whole.toString('utf8');
    const secondLine = text.indexOf('\n') + 1;
    await writeFile(abs, text.slice(0, secondLine) + '[[' + text.slice(secondLine + 2));
    expect(await stream.read(0)).toBeNull();
    await expect(async () => {
      for await (const chunk of readStreamPages(stream, 'id')) void chunk;
    }).rejects.toThrow(/offset 0 .*damaged/);
  });
});
