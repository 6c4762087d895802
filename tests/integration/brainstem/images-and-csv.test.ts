// What an export will do with BrainSTEM records: hosted images downloaded from their own origin
// with no credential (and a refused link renewed by reading the record again), and CSV rows with
// `details` flattened to dotted columns and relations as ids, read back with pandas. Mixed schema
// versions (0.0.0 "sr": 30000 and 1.1.0 "sr": {"value", "unit"}) share one readable file.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTypeOutputs } from '../../../src-main/core/export/format/type-writer';
import type { TableId } from '../../../src-main/core/export/format/columns';
import { brainstemSource, withRelationIds, type JsonRecord } from '../../../src-main/core/sources/brainstem/index';
import { python, removeDir, tempDir } from '../export/export-helpers';
import { brainstemSuite, ids, readAll } from './helpers';

const suite = brainstemSuite({ scale: 'tiny', seed: 1 });
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});
async function dir(): Promise<string> {
  const d = await tempDir('bs-');
  dirs.push(d);
  return d;
}

describe('hosted images', () => {
  it('are downloaded from the image origin with no credential, byte for byte', async () => {
    const sim = suite.sim();
    const client = suite.use();
    const project = sim.dataset.projects()[0];
    const { data_acquisitions: das } = await readAll(client, { level: 'project', ids: [project.id] }, ['data_acquisitions']);
    const withImage = das.filter((d) => typeof d.image === 'string');
    expect(withImage.length).toBeGreaterThan(1);
    const jobs = client.imageJobs(das);
    expect(jobs.map((j) => j.relativePath)).toEqual(withImage.map((d) => `images/${d.id}.png`));
    const root = await dir();
    const outcomes = await client.downloadImages({ jobs, root });
    expect(outcomes.every((o) => o.status === 'downloaded')).toBe(true);
    for (const d of withImage) {
      const bytes = await readFile(path.join(root, 'images', `${d.id}.png`));
      const want = sim.dataset.images().find((i) => i.url === d.image)!;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(want.sha256);
    }
    expect(sim.counters().imageRequests).toBe(withImage.length);
    expect(sim.counters().imageRequestsWithAuthorization).toBe(0);
    expect(sim.requestLog().filter((e) => e.origin === 'images').every((e) => e.authorization === 'none')).toBe(true);
    expect(await readdir(path.join(root, 'images'))).toHaveLength(withImage.length); // no .part left
  });

  it('a refused (expired) link is renewed by reading the record again, still with no credential on the image origin', async () => {
    const sim = suite.sim();
    const client = suite.use();
    const da = sim.dataset.rows('dataacquisition').find((d) => typeof d.image === 'string')!;
    sim.setFaults({ rules: [{ match: '/images', kind: 'expire', count: 1 }] });
    const root = await dir();
    const outcomes = await client.downloadImages({ jobs: client.imageJobs([da]), root, backoffMs: 1 });
    expect(outcomes[0].status).toBe('downloaded');
    expect(sim.counters().byEndpoint['/private/modules/dataacquisition/{id}/']).toBe(1);
    expect(sim.counters().imageRequests).toBe(2);
    expect(sim.counters().imageRequestsWithAuthorization).toBe(0);
  });
});

describe('CSV', () => {
  it('details flattened with dots, both schema versions readable in one file, relations as ids (pandas)', async () => {
    const sim = suite.sim();
    const client = suite.use();
    // Acquisitions with their session embedded (include[]=session.*): CSV must still show the id.
    const records: JsonRecord[] = [];
    for await (const p of client.pages({ model: 'dataacquisition', filters: [], include: ['session'], what: 'acquisitions' })) records.push(...p.records);
    expect(records.length).toBe(sim.dataset.rows('dataacquisition').length);
    expect(typeof records[0].session).toBe('object');
    const out = await dir();
    await writeTypeOutputs({
      type: 'data_acquisitions' as TableId,
      format: 'csv',
      split: 'none',
      records: () => records,
      transform: (r) => withRelationIds('data_acquisitions', r),
      outDir: out,
      bom: false,
      formulaProtection: false,
      flatten: brainstemSource.csv.flatten,
    });
    const rows = (await python(
      `import pandas as pd, json, sys
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
print(json.dumps({"columns": list(df.columns), "rows": df.to_dict(orient="records")}))`,
      [path.join(out, 'data_acquisitions.csv')],
    )) as { columns: string[]; rows: Array<Record<string, string>> };

    const want = sim.dataset.rows('dataacquisition');
    expect(rows.rows.map((r) => r.id)).toEqual(ids(want));
    for (const c of ['details.sr', 'details.sr.value', 'details.sr.unit', 'session', 'type_schema_version']) expect(rows.columns).toContain(c);
    expect(rows.columns.some((c) => c.includes('_sr') || c.startsWith('details_'))).toBe(false);
    let scalar = 0;
    let quantity = 0;
    want.forEach((d, i) => {
      const row = rows.rows[i];
      expect(row.session).toBe(d.session);
      const sr = (d.details as Record<string, unknown>).sr;
      if (typeof sr === 'number') {
        scalar++;
        expect(row['details.sr']).toBe(String(sr));
        expect(row['details.sr.value']).toBe('');
      } else if (sr && typeof sr === 'object') {
        quantity++;
        const q = sr as { value: number; unit: string };
        expect(row['details.sr.value']).toBe(String(q.value));
        expect(row['details.sr.unit']).toBe(q.unit);
        expect(row['details.sr']).toBe('');
      }
    });
    expect(scalar).toBeGreaterThan(0);
    expect(quantity).toBeGreaterThan(0);
  });
});
