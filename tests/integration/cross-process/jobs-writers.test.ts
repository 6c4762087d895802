// Two processes writing the same jobs file at once (each running downloads through its own job
// manager): every change is a read-modify-write under the file's lock, so nothing is lost.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../export/export-helpers';

const exec = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const WRITER = path.join(import.meta.dirname, 'fixtures', 'jobs-writer.ts');
const PER_PROCESS = 40;

let root: string;
beforeAll(async () => {
  root = await tempDir('jobs-writers-');
});
afterAll(async () => {
  await removeDir(root);
});

describe('concurrent writers of the jobs file', () => {
  it('two processes, 40 downloads each, three state changes per download: all 80 end up on disk, completed', { timeout: 120_000 }, async () => {
    const dataDir = path.join(root, 'data');
    const runs = await Promise.all(
      [1, 2].map(() => exec(process.execPath, ['--import', 'tsx', WRITER, dataDir, path.join(root, 'downloads'), String(PER_PROCESS)], { cwd: REPO })),
    );
    const ids = runs.flatMap((r) => JSON.parse(r.stdout) as string[]);
    expect(new Set(ids).size).toBe(2 * PER_PROCESS);
    const file = JSON.parse(await readFile(path.join(dataDir, 'jobs.json'), 'utf8')) as { jobs: Record<string, { snapshot: { state: string } }> };
    expect(Object.keys(file.jobs).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(file.jobs[id].snapshot.state, id).toBe('completed');
  });
});
