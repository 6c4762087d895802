// "Export what the table shows": one data type with the table's filters, search, sort and visible
// columns. The expected rows are computed here from the simulator's own records (not through the
// preview code), and the file is read back by pandas.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index';
import { baseRequest, exportOnce, python, removeDir, tempDir } from './export-helpers';
import { hsTarget } from '../../hs-paths';

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 11 });
  root = await tempDir('export-view-');
});
afterAll(async () => {
  await sim?.close();
  await removeDir(root);
});

describe('exporting a table view', { timeout: 120_000 }, () => {
  it('writes exactly the filtered rows, in the table order, with only the visible columns', async () => {
    const exp = sim.dataset.experiments()[0];
    const room = sim.dataset.rooms(exp.id)[0];
    const pid = room.participantIds[0];
    const all = [...sim.dataset.records('events', 'participant', pid, room.id)];
    const onsets = all.map((r) => Number(r.onset)).sort((a, b) => a - b);
    const cut = onsets[Math.floor(onsets.length / 3)];
    // Typed as a researcher would, with a thousands separator.
    const filter = `>${cut.toLocaleString('en-US')}`;
    const expected = all
      .filter((r) => Number(r.onset) > cut)
      .map((r, i) => ({ r, i }))
      .sort((a, b) => Number(b.r.onset) - Number(a.r.onset) || a.i - b.i)
      .map(({ r }) => String(r.id));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);

    const columns = ['id', 'onset', 'eventType'];
    const r = await exportOnce(
      sim,
      baseRequest(exp.id, {
        target: hsTarget(exp.id, room.id, pid),
        types: ['events'],
        view: { filters: { onset: filter }, sort: { key: 'onset', dir: 'desc' }, columns, timeZone: 'UTC' },
      }),
      path.join(root, 'view'),
    );
    expect(r.outputName).toMatch(/_participant-[A-Za-z0-9._-]+_events-filtered_\d{4}-\d{2}-\d{2}$/);
    const got = (await python(
      `import sys, json, pandas as pd\ndf = pd.read_csv(sys.argv[1], encoding='utf-8-sig', dtype=str, keep_default_na=False)\nprint(json.dumps({'columns': list(df.columns), 'ids': df['id'].tolist()}))`,
      [path.join(r.outputPath, 'events.csv')],
    )) as { columns: string[]; ids: string[] };
    expect(got.columns).toEqual(columns);
    expect(got.ids).toEqual(expected);
    // The table alone: no listings beside it.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(r.outputPath)).sort()).toEqual(['README.txt', 'events.csv', 'metadata.json']);
  });
});
