// Links a source lists but never fetches (the port's `links`: BrainSTEM's session download links)
// go to their own CSV table, one row per link, beside the data type that carries them; they are
// not counted as records, and aggregate exports leave them out.
// HyperStudy has no such links, so here its source is given a links rule over chat messages.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Source, SourceLinks } from '../../../src-main/core/sources/source';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, makeSource, python, removeDir, tempDir } from './export-helpers';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 5, keyLimit: 100_000, endpointLimit: 100_000 });
  root = await tempDir('export-links-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

/** Each chat message "links" to an address built from its id (never a real address: nothing may fetch it). */
const links: SourceLinks = {
  type: 'chat',
  table: 'links',
  rows: (r) => [{ message_id: String(r.messageId), url: `https://repository.invalid/${String(r.messageId)}` }],
};

function withLinks(source: Source): Source {
  return { ...source, links, forExport: () => ({ ...source.forExport(), links }) };
}

describe('listed links', () => {
  it('are written to links.csv, one row per link, and not counted as records', async () => {
    const exp = sim.dataset.experiments()[0];
    const chats = sim.dataset.count('chat', 'experiment', exp.id);
    expect(chats).toBeGreaterThan(0);
    const source = withLinks(makeSource(sim));
    const r = await exportOnce(sim, baseRequest(exp.id, { types: ['events', 'chat'] }), path.join(root, 'csv'), { source });
    const rows = (await python(
      'import sys, json, csv\nwith open(sys.argv[1], encoding="utf-8-sig", newline="") as h:\n    print(json.dumps(list(csv.DictReader(h))))',
      [path.join(r.outputPath, 'links.csv')],
    )) as Array<Record<string, string>>;
    expect(rows).toHaveLength(chats);
    const ids = [...sim.dataset.records('chat', 'experiment', exp.id)].map((c) => String(c.messageId)).sort();
    expect(rows.map((x) => x.message_id).sort()).toEqual(ids);
    expect(rows.every((x) => x.url === `https://repository.invalid/${x.message_id}`)).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8'));
    expect(manifest.files.find((f: { path: string }) => f.path === 'links.csv')).toMatchObject({ type: 'links', records: chats });
    expect(manifest.totals.records).toBe(sim.dataset.count('events', 'experiment', exp.id) + chats);
  });

  it('are left out of aggregate exports (summaries only)', async () => {
    const exp = sim.dataset.experiments()[0];
    const r = await exportOnce(sim, baseRequest(exp.id, { types: ['chat'], anonymize: 'aggregate' }), path.join(root, 'agg'), { source: withLinks(makeSource(sim)) });
    const manifest = JSON.parse(await readFile(path.join(r.outputPath, 'metadata.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path)).not.toContain('links.csv');
  });
});
