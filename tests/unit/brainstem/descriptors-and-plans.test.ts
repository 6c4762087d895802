// The descriptors are plain data the planner agrees with: every data type can be planned at every
// scope it declares (and at no other), dependencies come first, epochs ride on the sessions stream.
import { describe, expect, it } from 'vitest';
import { brainstemSource, STREAM_IDS, type BrainstemScopeLevel } from '../../../src-main/core/sources/brainstem/descriptors';
import { planStreams, requestsFor } from '../../../src-main/core/sources/brainstem/streams';
import { linkRows } from '../../../src-main/core/sources/brainstem/links';
import { groupOf, withRelationIds } from '../../../src-main/core/sources/brainstem/relations';

const ID = '3f5ea7d7-4bac-47ed-8f03-fa9661ab0f67';
const scopeOf = (level: BrainstemScopeLevel) => (level === 'portal' ? { level } : { level, ids: [ID] });

describe('descriptors', () => {
  it('is JSON (no functions), one data type per stream id, files named after the list keys', () => {
    expect(JSON.parse(JSON.stringify(brainstemSource))).toEqual(brainstemSource);
    expect(brainstemSource.dataTypes.map((d) => d.id)).toEqual([...STREAM_IDS]);
    expect(brainstemSource.dataTypes.map((d) => d.file)).toEqual([...STREAM_IDS]);
    const times = Object.fromEntries(brainstemSource.dataTypes.map((d) => [d.id, d.timeField]));
    expect(times).toMatchObject({ sessions: 'date_time', procedures: 'date_time', procedure_logs: 'date_time', subject_logs: 'date_time', data_acquisitions: null, epochs: null });
    expect(brainstemSource.csv.flatten.separator).toBe('.');
  });

  it('levels form a tree under the portal: project → session, subject, collection, cohort', () => {
    const byId = new Map(brainstemSource.levels.map((l) => [l.id, l]));
    for (const l of brainstemSource.levels) {
      if (l.parent) expect(byId.get(l.parent)!.children).toContain(l.id);
      for (const c of l.children) expect(byId.get(c)!.parent).toBe(l.id);
    }
    expect(brainstemSource.levels.filter((l) => l.parent === null).map((l) => l.id)).toEqual(['project']);
  });

  it('every type plans at every scope it declares, and is refused at the others', () => {
    for (const d of brainstemSource.dataTypes) {
      for (const level of ['portal', 'project', 'session', 'subject'] as const) {
        if (d.scopes.includes(level)) {
          const plans = planStreams(scopeOf(level), [d.id]);
          expect(plans.find((p) => p.type === d.id)?.wanted, `${d.id} at ${level}`).toBe(true);
          // Dependencies before dependants.
          const order = plans.map((p) => p.type);
          for (const p of plans) if (p.dependsOn) expect(order.indexOf(p.dependsOn)).toBeLessThan(order.indexOf(p.type));
        } else {
          expect(() => planStreams(scopeOf(level), [d.id]), `${d.id} at ${level}`).toThrow(/cannot be read for a/);
        }
      }
    }
  });

  it('epochs: no request of their own; the sessions stream includes them (read but not wanted)', () => {
    const plans = planStreams({ level: 'project', ids: [ID] }, ['epochs']);
    expect(plans.map((p) => [p.type, p.wanted, p.include])).toEqual([
      ['sessions', false, ['epochs']],
      ['epochs', true, []],
    ]);
    expect(requestsFor(plans[1], 'private', '/api')).toEqual([]);
    expect(requestsFor(plans[0], 'private', '/api')).toEqual([{ model: 'session', include: ['epochs'], filters: [['projects.id', ID]], what: `sessions of project ${ID}` }]);
  });

  it('procedure logs of a project need the procedures, which need the subjects', () => {
    const plans = planStreams({ level: 'project', ids: [ID] }, ['procedure_logs']);
    expect(plans.map((p) => [p.type, p.dependsOn, p.wanted])).toEqual([
      ['subjects', null, false],
      ['procedures', 'subjects', false],
      ['procedure_logs', 'procedures', true],
    ]);
    expect(() => requestsFor(plans[1], 'private', '/api')).toThrow(/needs the ids of subjects/);
    expect(requestsFor(plans[1], 'private', '/api', [])).toEqual([]);
  });
});

describe('rows for CSV', () => {
  it('relations become ids; other objects (details) stay for the flattener', () => {
    const r = withRelationIds('behaviors', { id: 'b', session: { id: 's', name: 'n' }, subjects: [{ id: 'u1' }, 'u2'], setup: null, details: { a: { id: 'not a relation' } } });
    expect(r).toEqual({ id: 'b', session: 's', subjects: ['u1', 'u2'], setup: null, details: { a: { id: 'not a relation' } } });
    expect(groupOf('behaviors', { session: { id: 's' } })).toEqual({ level: 'session', id: 's' });
    expect(groupOf('projects', { id: 'p' })).toBeNull();
  });

  it('one links row per download link, never fetched', () => {
    expect(
      linkRows([
        { id: 's1', name: 'one', download_links: [{ repository: 'DANDI', url: 'https://dandiarchive.org/dandiset/1' }, { repository: 'Zenodo', url: ' ' }] },
        { id: 's2', name: 'two', download_links: [] },
        { id: 's3', name: 'three' },
      ]),
    ).toEqual([{ session_id: 's1', session_name: 'one', repository: 'DANDI', url: 'https://dandiarchive.org/dandiset/1' }]);
  });
});
