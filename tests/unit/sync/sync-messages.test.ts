// What a sync's end says (the desktop's OS notification and browser mode's toast share it), the
// relative time of the sync line, and the renderer's pure helpers: which folder keeps a study up
// to date, and which finished exports can become one.
import { describe, expect, it } from 'vitest';
import type { JobSnapshot, SyncFolderSummary, SyncOutcome } from '../../../src-shared/model';
import { newDataMessage, syncEndMessage, timeAgo } from '../../../src-shared/sync-messages';
import { canKeepUpToDate, exportFolderOf, folderForStudy } from '../../../src-renderer/src/stores/sync-store';

const outcome = (over: Partial<SyncOutcome> = {}): SyncOutcome => ({ at: '2026-06-01T10:00:00.000Z', kind: 'incremental', state: 'completed', requests: 4, newRecords: {}, peopleWithNewData: 0, ...over });

function job(over: Partial<JobSnapshot> = {}, sync: Partial<NonNullable<JobSnapshot['sync']>> | null = {}): JobSnapshot {
  return {
    id: 'job_1',
    source: 'hyperstudy',
    title: 'Experiment “Emotion Study” — events (CSV, kept up to date)',
    request: { target: { level: 'experiment', path: [{ level: 'experiment', id: 'exp_1' }] }, types: ['events'], format: 'csv', zip: false, split: 'none', anonymize: 'keep', includeRecordings: false, bom: true, formulaProtection: false, destination: '/d' },
    state: 'completed',
    createdAt: '2026-06-01T10:00:00.000Z',
    progress: {} as JobSnapshot['progress'],
    resumable: false,
    ...(sync ? { sync: { dir: '/d/f', ...sync } } : {}),
    ...over,
  } as JobSnapshot;
}

describe('sync messages', () => {
  it('names new participants, else new records, else nothing', () => {
    expect(newDataMessage(outcome({ newRecords: { events: 12 }, peopleWithNewData: 38 }), 'Emotion Study')).toBe("38 new participants' data in Emotion Study");
    expect(newDataMessage(outcome({ newRecords: { events: 1 }, peopleWithNewData: 1 }), 'S')).toBe("1 new participant's data in S");
    expect(newDataMessage(outcome({ newRecords: { events: 1200, chat: 34 } }), 'S')).toBe('1,234 new records in S');
    expect(newDataMessage(outcome({ newRecords: { events: 0 } }), 'S')).toBeNull();
    expect(newDataMessage(outcome({ state: 'failed', newRecords: { events: 3 } }), 'S')).toBeNull();
  });

  it('tells of new data always, of nothing new, a full write and a failure only when the user asked', () => {
    const rootName = 'Emotion Study';
    expect(syncEndMessage(job({}, { outcome: outcome({ newRecords: { events: 5 }, rootName }) }))).toEqual({ title: 'New data downloaded', body: '5 new records in Emotion Study' });
    expect(syncEndMessage(job({}, { automatic: true, outcome: outcome({ newRecords: { events: 5 }, rootName }) }))?.title).toBe('New data downloaded');
    expect(syncEndMessage(job({}, { outcome: outcome({ rootName }) }))).toEqual({ title: 'Up to date', body: 'Nothing new in Emotion Study.' });
    expect(syncEndMessage(job({}, { automatic: true, outcome: outcome({ rootName }) }))).toBeNull();
    expect(syncEndMessage(job({}, { outcome: outcome({ kind: 'first', newRecords: { events: 900 }, rootName }) }))?.title).toBe('Kept up to date');
    expect(syncEndMessage(job({}, { automatic: true, outcome: outcome({ kind: 'full', newRecords: { events: 900 }, rootName }) }))).toBeNull();
    expect(syncEndMessage(job({ state: 'failed', error: { code: 'UNREACHABLE', message: 'The server did not answer.' } }, {}))).toEqual({ title: 'Sync failed', body: 'The server did not answer.' });
    expect(syncEndMessage(job({ state: 'failed' }, { automatic: true }))).toBeNull();
    expect(syncEndMessage(job({ state: 'running' }, {}))).toBeNull();
    expect(syncEndMessage(job({}, null)), 'an export is not a sync').toBeNull();
    // Without the study's name, its id.
    expect(syncEndMessage(job({}, { outcome: outcome() }))?.body).toBe('Nothing new in exp_1.');
  });

  it('says how long ago in plain words', () => {
    const t = Date.parse('2026-06-01T12:00:00.000Z');
    expect(timeAgo('2026-06-01T11:59:30.000Z', t)).toBe('just now');
    expect(timeAgo('2026-06-01T11:55:00.000Z', t)).toBe('5 min ago');
    expect(timeAgo('2026-06-01T10:00:00.000Z', t)).toBe('2 h ago');
    expect(timeAgo('2026-05-31T12:00:00.000Z', t)).toBe('1 day ago');
    expect(timeAgo('2026-05-29T11:00:00.000Z', t)).toBe('3 days ago');
    expect(timeAgo('2026-06-01T12:10:00.000Z', t), 'a clock a little ahead').toBe('just now');
  });
});

describe('the renderer’s sync helpers', () => {
  const folder = (id: string, path: SyncFolderSummary['target']['path'], at?: string): SyncFolderSummary => ({
    id, path: `/d/${id}`, title: id, source: 'hyperstudy', target: { level: path[path.length - 1].level, path }, types: ['events'], createdAt: '2026-01-01T00:00:00.000Z',
    ...(at ? { lastSync: outcome({ at }) } : {}),
  });

  it('finds the folder of a whole study, the most recently synced one first', () => {
    const root = { level: 'experiment', id: 'exp_1' };
    const folders = [
      folder('room', [root, { level: 'room', id: 'r1' }], '2026-06-03T00:00:00.000Z'),
      folder('old', [root], '2026-06-01T00:00:00.000Z'),
      folder('new', [root], '2026-06-02T00:00:00.000Z'),
      folder('other', [{ level: 'experiment', id: 'exp_2' }], '2026-06-04T00:00:00.000Z'),
    ];
    expect(folderForStudy(folders, 'hyperstudy', root)?.id).toBe('new');
    expect(folderForStudy(folders, 'brainstem', root)).toBeUndefined();
    expect(folderForStudy(folders, 'hyperstudy', { level: 'experiment', id: 'exp_3' })).toBeUndefined();
  });

  it('offers "Keep up to date" only on a finished folder export of whole data types', () => {
    const done = job({ outputName: 'Emotion-Study_experiment_2026-06-01' }, null);
    expect(canKeepUpToDate(done)).toBe(true);
    expect(exportFolderOf(done)).toBe('/d/Emotion-Study_experiment_2026-06-01');
    expect(canKeepUpToDate({ ...done, state: 'running' })).toBe(false);
    expect(canKeepUpToDate({ ...done, request: { ...done.request, zip: true } })).toBe(false);
    expect(canKeepUpToDate({ ...done, request: { ...done.request, since: '2026-01-01T00:00:00.000Z' } })).toBe(false);
    expect(canKeepUpToDate(job({ outputName: 'x' }, {})), 'already a sync').toBe(false);
  });
});
