// Reading BrainSTEM answers and writing its queries, without a server: the records key (explicit,
// "results", or the one model-like array that is no sideload), the total, the request line.
import { describe, expect, it } from 'vitest';
import { readDetail, readListPage } from '../../../src-main/core/sources/brainstem/envelope';
import { batchedRequests, listPath, requestLineBytes } from '../../../src-main/core/sources/brainstem/query';
import { brainstemEndpointKey } from '../../../src-main/core/sources/brainstem/policy';
import { brainstemUrls, brainstemUrlProblem } from '../../../src-main/core/sources/brainstem/connection';

const U = 'https://www.brainstem.org/api/private/modules/dataacquisition/';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('list pages', () => {
  it('takes the explicit list key, not the first array (sideloads come first)', () => {
    const page = readListPage({ sessions: [{ id: 's1' }], epochs: [{ id: 'e1' }], data_acquisitions: [{ id: 'd1', session: 's1' }], meta: { page: 1, per_page: 100, total_results: 1, total_pages: 1 } }, 'dataacquisition', U);
    expect(page.records).toEqual([{ id: 'd1', session: 's1' }]);
    expect(page.sideloaded).toEqual({ sessions: [{ id: 's1' }], epochs: [{ id: 'e1' }] });
    expect(page).toMatchObject({ total: 1, perPage: 100 });
  });

  it('DRF paging: results, count; next is ignored', () => {
    const page = readListPage({ count: 250, next: 'http://evil.example/?offset=100', previous: null, results: [{ id: 'a' }], sessions: [{ id: 's' }] }, 'dataacquisition', U);
    expect(page.records).toEqual([{ id: 'a' }]);
    expect(page.total).toBe(250);
    expect(page.sideloaded.sessions).toEqual([{ id: 's' }]);
  });

  it('total is meta.total_results, else count, else unknown', () => {
    expect(readListPage({ projects: [], count: 3 }, 'project', U).total).toBe(3);
    expect(readListPage({ projects: [], meta: { total_results: 7 }, count: 3 }, 'project', U).total).toBe(7);
    expect(readListPage({ projects: [] }, 'project', U).total).toBeNull();
    expect(readListPage({ projects: [], meta: { total_results: -1 } }, 'project', U).total).toBeNull();
  });

  it('falls back to one array spelled like the model (a naive plural), never to a sideload or another API\'s "data"', () => {
    expect(readListPage({ dataAcquisitions: [{ id: 'x' }], sessions: [] }, 'dataacquisition', U).records).toEqual([{ id: 'x' }]);
    expect(() => readListPage({ status: 'success', data: [] }, 'project', U)).toThrow(/not like the BrainSTEM API/);
    expect(() => readListPage({ sessions: [{ id: 's' }] }, 'dataacquisition', U)).toThrow(/no "data_acquisitions" list/);
    expect(() => readListPage([{ id: 1 }], 'project', U)).toThrow(/a bare list/);
    expect(() => readListPage('<html>', 'project', U)).toThrow(/not a JSON object/);
  });

  it('a related record of the primary type (+sessions) is a sideload, not the records', () => {
    const page = readListPage({ '+sessions': [{ id: 'other' }], sessions: [{ id: 's' }] }, 'session', U);
    expect(page.records).toEqual([{ id: 's' }]);
    expect(page.sideloaded.sessions).toEqual([{ id: 'other' }]);
  });

  it('detail answers by their singular key', () => {
    expect(readDetail({ data_acquisition: { id: 'd' }, sessions: [] }, 'dataacquisition', U)).toEqual({ id: 'd' });
    expect(() => readDetail({ detail: 'Not found.' }, 'session', U)).toThrow(/no "session" record/);
  });
});

describe('queries', () => {
  it('spells filters, includes and paging as dynamic-rest reads them', () => {
    const p = listPath('private', { model: 'session', filters: [['projects.id', 'p1']], include: ['epochs'], what: '' }, { limit: 100, offset: 200 });
    expect(p).toBe('/private/stem/session/?filter%7Bprojects.id%7D=p1&include%5B%5D=epochs.*&limit=100&offset=200');
    const q = new URL(p, 'http://x').searchParams;
    expect(q.get('filter{projects.id}')).toBe('p1');
    expect(q.getAll('include[]')).toEqual(['epochs.*']);
  });

  it('an "in" filter repeats the parameter, batched so no request line passes the budget', () => {
    const all = Array.from({ length: 1000 }, (_, i) => uuid(i));
    const reqs = batchedRequests('public', { model: 'behavior' }, 'session.id', all, (n) => `${n}`, '/api', 2000);
    const lines = reqs.map((r) => requestLineBytes('/api', listPath('public', r, { limit: 100, offset: 999_999_999 })));
    expect(Math.max(...lines)).toBeLessThanOrEqual(2000);
    // As full as allowed: adding the next id to any batch but the last would pass the budget.
    const perId = Buffer.byteLength('filter%7Bsession.id.in%7D=&') + 36;
    for (const l of lines.slice(0, -1)) expect(l + perId).toBeGreaterThan(2000);
    expect(reqs.flatMap((r) => r.filters.map(([, v]) => v))).toEqual(all);
    expect(reqs.every((r) => r.filters.every(([f]) => f === 'session.id.in'))).toBe(true);
  });

  it('route templates for the limiter: ids replaced, query dropped', () => {
    expect(brainstemEndpointKey(`/private/stem/session/${uuid(1)}/?include[]=epochs.*`)).toBe('/private/stem/session/{id}/');
    expect(brainstemEndpointKey('/auth/device/token/')).toBe('/auth/device/token/');
  });

  it('the base URL may be the site or the API', () => {
    expect(brainstemUrls()).toEqual({ site: 'https://www.brainstem.org', api: 'https://www.brainstem.org/api', tokensPage: 'https://www.brainstem.org/private/users/tokens/' });
    expect(brainstemUrls('http://127.0.0.1:8790/api').api).toBe('http://127.0.0.1:8790/api');
    expect(brainstemUrls('http://127.0.0.1:8790/api/').site).toBe('http://127.0.0.1:8790');
    expect(brainstemUrlProblem('http://brainstem.example.org')?.message).toMatch(/Refusing plain http/);
    expect(brainstemUrlProblem('ftp://x')?.fix).toMatch(/brainstem\.org/);
    expect(brainstemUrlProblem('https://www.brainstem.org/')).toBeNull();
  });
});
