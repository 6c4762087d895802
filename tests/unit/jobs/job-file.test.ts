// Reading a jobs file entry by entry: whatever the damage, every complete, well-formed job is
// kept and everything else is counted as skipped; reading never throws.
import { describe, expect, it } from 'vitest';
import { parseJobsFile, serializeJobsFile, type StoredJob } from '../../../src-main/core/jobs/job-file';

function job(id: string, over: Partial<StoredJob['snapshot']> = {}): StoredJob {
  return {
    snapshot: {
      id,
      title: `Experiment exp_1 — events (CSV, ZIP) “${id}”, with {braces}, [brackets], "quotes" and \\ backslashes`,
      request: { target: { level: 'experiment', path: [{ level: 'experiment', id: 'exp_1' }] }, types: ['events'], format: 'csv', zip: true, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false, destination: '/tmp/d' },
      state: 'completed',
      createdAt: '2026-01-01T00:00:00.000Z',
      progress: { jobId: id, state: 'completed', phase: 'done', step: 'Done', recordsDone: 1, recordsTotal: 1, bytesDone: 0, bytesTotal: 0, requestsUsed: 3, requestsPlanned: 3, etaSeconds: 0, fraction: 1 },
      resumable: false,
      ...over,
    },
    workDir: `/tmp/d/.studydl-${id}`,
    destination: '/tmp/d',
  };
}

const ids = ['job_a', 'job_b', 'job_c'];

describe('the jobs file, damaged', () => {
  it('a sound file reads back exactly, with nothing skipped', () => {
    const jobs = ids.map((id) => job(id));
    const read = parseJobsFile(serializeJobsFile(jobs));
    expect(read).toMatchObject({ skipped: 0, unparseable: false });
    expect([...read.jobs.values()]).toEqual(jobs);
  });

  it('null, misshapen and foreign entries are skipped and counted; the rest are kept', () => {
    const text = JSON.stringify({
      jobs: {
        job_a: job('job_a'),
        job_null: null,
        job_number: 42,
        job_no_snapshot: { workDir: '/x', destination: '/x' },
        job_wrong_id: job('job_other'),
        job_bad_state: job('job_bad_state', { state: 'exploded' as never }),
        job_bad_request: job('job_bad_request', { request: { target: 'everything' } as never }),
        job_b: job('job_b'),
      },
    });
    const read = parseJobsFile(text);
    expect([...read.jobs.keys()]).toEqual(['job_a', 'job_b']);
    expect(read).toMatchObject({ skipped: 6, unparseable: false });
  });

  it('a job whose progress is garbled is kept, with its progress reset (its checkpoints are what count)', () => {
    const broken = job('job_p');
    (broken.snapshot as { progress: unknown }).progress = 'lots';
    const read = parseJobsFile(JSON.stringify({ jobs: { job_p: broken } }));
    expect(read.skipped).toBe(0);
    expect(read.jobs.get('job_p')!.snapshot.progress).toMatchObject({ jobId: 'job_p', fraction: 0, requestsUsed: 0 });
  });

  it('cut off at any byte: exactly the entries complete before the cut are kept, and nothing throws', () => {
    const jobs = ids.map((id) => job(id));
    const text = JSON.stringify({ version: 2, jobs: Object.fromEntries(jobs.map((j) => [j.snapshot.id, j])) });
    // Where each entry's value ends, found in the text independently of the reader.
    const ends = jobs.map((j) => text.indexOf(JSON.stringify(j)) + JSON.stringify(j).length);
    expect(ends.every((e, i) => e > JSON.stringify(jobs[i]).length)).toBe(true);
    for (let cut = 0; cut < text.length; cut++) {
      const read = parseJobsFile(text.slice(0, cut));
      const expected = ids.filter((_, i) => ends[i] <= cut);
      expect([...read.jobs.keys()], `cut at ${cut}`).toEqual(expected);
      expect(read.unparseable, `cut at ${cut}`).toBe(true);
    }
  });

  it('damaged in the middle: the entries before the damage are kept', () => {
    const text = serializeJobsFile(ids.map((id) => job(id)));
    const at = text.indexOf('"job_b"');
    const damaged = text.slice(0, at) + '\u0000\u0000garbage' + text.slice(at + 20);
    const read = parseJobsFile(damaged);
    expect([...read.jobs.keys()]).toEqual(['job_a']);
    expect(read.unparseable).toBe(true);
    expect(read.skipped).toBeGreaterThan(0);
  });

  it('damaged, with entries that are not downloads (a string, numbers, a broken literal): each costs only itself', () => {
    const entry = (id: string) => `${JSON.stringify(id)}:${JSON.stringify(job(id))}`;
    // Not valid JSON as a whole (the outer brace is missing), so it is read entry by entry.
    const text = `{"version":2,"jobs":{${entry('job_a')},"job_s":"a string, with } and , inside","job_n":42 ,"job_bad":tru,${entry('job_b')},"job_end":7}`;
    const read = parseJobsFile(text);
    expect([...read.jobs.keys()]).toEqual(['job_a', 'job_b']);
    expect(read).toMatchObject({ unparseable: true, skipped: 4 });
  });

  it('damaged at a key that is not a valid string: the entries before it are kept', () => {
    const text = `{"version":2,"jobs":{"job_a":${JSON.stringify(job('job_a'))},"job_\\q":{}, "job_b":${JSON.stringify(job('job_b'))}`;
    const read = parseJobsFile(text);
    expect([...read.jobs.keys()]).toEqual(['job_a']);
    expect(read).toMatchObject({ unparseable: true, skipped: 1 });
  });

  it('reads the older format (written through conf, tab-indented, owner as a bare pid)', () => {
    const old = job('job_old', { state: 'running' }) as StoredJob & { ownerPid?: number };
    old.ownerPid = 4242;
    const read = parseJobsFile(JSON.stringify({ jobs: { job_old: old } }, null, '\t'));
    expect(read.skipped).toBe(0);
    expect(read.jobs.get('job_old')!.owner).toMatchObject({ pid: 4242 });
  });

  it('reads a job saved before targets were generic: its HyperStudy target becomes the same path', () => {
    const old = job('job_legacy');
    (old.snapshot.request as unknown as { target: unknown }).target = { level: 'participant', experimentId: 'exp_1', roomId: 'room_1', participantId: 'p_1' };
    const read = parseJobsFile(serializeJobsFile([old]));
    expect(read.skipped).toBe(0);
    expect(read.jobs.get('job_legacy')!.snapshot.request.target).toEqual({
      level: 'participant',
      path: [{ level: 'experiment', id: 'exp_1' }, { level: 'room', id: 'room_1' }, { level: 'participant', id: 'p_1' }],
    });
  });

  it('empty or not JSON at all: no jobs, flagged for repair', () => {
    for (const text of ['', '   ', 'not json', '[1,2,3]', '{"jobs": []}', 'null']) {
      const read = parseJobsFile(text);
      expect(read.jobs.size, JSON.stringify(text)).toBe(0);
      expect(read.unparseable || read.skipped > 0, JSON.stringify(text)).toBe(true);
    }
    expect(parseJobsFile('{}')).toMatchObject({ skipped: 0, unparseable: false });
  });
});
