import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../../src-main/core/export/anonymize/aggregate';
import { sourceModule } from '../../../src-main/core/sources/registry';
import { createAnonymizer } from '../../../src-main/core/export/anonymize/anonymizer';
import { createSubstringIndex } from '../../../src-main/core/export/anonymize/substring-index';

const PEOPLE = [
  { id: 'usr_zzz999', name: 'Zoë Ångström', email: 'zoe.angstrom1@example.org' },
  { id: 'usr_aaa111', name: 'Bob Okafor', email: 'bob.okafor2@example.org' },
  { id: 'usr_mmm555', name: '李雷', email: 'li3@example.org' },
];

describe('createAnonymizer', () => {
  it('keep mode changes nothing', () => {
    const a = createAnonymizer({ mode: 'keep', participants: PEOPLE });
    const r = { participantId: 'usr_aaa111', email: 'x@y.org' };
    expect(a.transform(r)).toEqual(r);
    expect(a.codeMap()).toEqual([]);
  });

  it('assigns codes in sorted-id order, independent of listing order', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: PEOPLE });
    const b = createAnonymizer({ mode: 'pseudonymize', participants: [...PEOPLE].reverse() });
    expect(a.participant('usr_aaa111')).toBe('P001');
    expect(a.participant('usr_mmm555')).toBe('P002');
    expect(a.participant('usr_zzz999')).toBe('P003');
    for (const p of PEOPLE) expect(b.participant(p.id)).toBe(a.participant(p.id));
    expect(a.codeMap()).toEqual([
      { code: 'P001', participantId: 'usr_aaa111', name: 'Bob Okafor', email: 'bob.okafor2@example.org' },
      { code: 'P002', participantId: 'usr_mmm555', name: '李雷', email: 'li3@example.org' },
      { code: 'P003', participantId: 'usr_zzz999', name: 'Zoë Ångström', email: 'zoe.angstrom1@example.org' },
    ]);
  });

  it('widens codes past 999 participants', () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: `u${String(i).padStart(5, '0')}` }));
    const a = createAnonymizer({ mode: 'pseudonymize', participants: many });
    expect(a.participant('u00000')).toBe('P0001');
    expect(a.participant('u01199')).toBe('P1200');
  });

  it('replaces ids everywhere and removes personal data', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: PEOPLE });
    const out = a.transform({
      messageId: 'm1',
      senderId: 'usr_zzz999',
      senderName: 'Zoë Ångström',
      recipientIds: ['usr_aaa111', 'usr_mmm555'],
      content: 'hi Bob Okafor, mail me at someone@else.com from 10.0.0.12',
      fileName: 'usr_aaa111_video_EG_1.mp4',
      downloadPath: '/data/recordings/download/room_1/EG_1?p=usr_aaa111',
      clientInfo: { ip: '192.168.1.20', ipAddress: '::1', browser: 'Chrome 131' },
      perParticipant: { usr_zzz999: { score: 3 }, usr_aaa111: { score: 4 } },
      nested: [{ participantId: 'usr_mmm555', email: 'li3@example.org' }],
      someText: 'zoe.angstrom1@example.org',
      experimentId: 'exp_1',
    });
    expect(out).toEqual({
      messageId: 'm1',
      senderId: 'P003',
      recipientIds: ['P001', 'P002'],
      content: 'hi [removed], mail me at [email] from [ip]',
      fileName: 'P001_video_EG_1.mp4',
      downloadPath: '/data/recordings/download/room_1/EG_1?p=P001',
      clientInfo: { browser: 'Chrome 131' },
      perParticipant: { P003: { score: 3 }, P001: { score: 4 } },
      nested: [{ participantId: 'P002' }],
      someText: '',
      experimentId: 'exp_1',
    });
    const text = JSON.stringify(out);
    for (const p of PEOPLE) {
      expect(text).not.toContain(p.id);
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.email);
    }
  });

  it('removes the name of participant records and codes their id', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: PEOPLE });
    expect(a.transform({ id: 'usr_aaa111', name: 'Bob Okafor', role: 'viewer' })).toEqual({ id: 'P001', role: 'viewer' });
    // An experiment's name is kept.
    expect(a.transform({ id: 'exp_1', name: 'Emotion Study' })).toEqual({ id: 'exp_1', name: 'Emotion Study' });
  });

  it('codes ids met later in id fields after the known ones, in first-seen order', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: PEOPLE });
    expect(a.transform({ participantId: 'usr_late' })).toEqual({ participantId: 'P004' });
    expect(a.rewriteString('file_usr_late.txt')).toBe('file_P004.txt');
  });

  it('codes an unknown id before rewriting strings that come first in the record', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: PEOPLE });
    const out = a.transform({ fileName: 'usr_newcomer_audio.webm', nested: { deeper: { senderId: 'usr_newcomer' } } });
    expect(out).toEqual({ fileName: 'P004_audio.webm', nested: { deeper: { senderId: 'P004' } } });
    expect(a.transform({ userId: 12345 })).toEqual({ userId: 'P005' });
    expect(a.transform({ participants: 3 })).toEqual({ participants: 3 }); // a count, not an id
  });

  it('does not treat an id as part of a longer unrelated id', () => {
    const a = createAnonymizer({ mode: 'pseudonymize', participants: [{ id: 'user_1' }, { id: 'user_10' }] });
    expect(a.rewriteString('user_10 and user_1')).toBe(`${a.participant('user_10')} and ${a.participant('user_1')}`);
  });
});

describe('createSubstringIndex', () => {
  it('replaces the longest match at each position, case-insensitively if asked', () => {
    const idx = createSubstringIndex(['ab', 'abc', 'xyz'], { caseInsensitive: true });
    expect(idx.replaceIn('--ABC--ab--Xyz', (m) => `<${m}>`)).toBe('--<ABC>--<ab>--<Xyz>');
    expect(idx.replaceIn('a', () => '!')).toBe('a');
  });
});

describe('createAggregator', () => {
  it('computes counts, first/last and min/max/mean/sd per participant and type', () => {
    const agg = createAggregator({ personOf: (type, r) => sourceModule('hyperstudy').recordContext()(type, r).person });
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    values.forEach((v, i) =>
      agg.add('ratings-continuous', { participantId: 'P001', value: v, timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, 10 - i)).toISOString() }),
    );
    agg.add('ratings-continuous', { participantId: 'P002', value: 1, timestamp: '2024-01-02T00:00:00.000Z' });
    agg.add('chat', { senderId: 'P002', content: 'x', timestamp: '2024-01-02T00:00:05.000Z' });
    agg.add('events', { onset: 1 });

    expect(agg.counts()).toEqual([
      { participant: '(none)', type: 'events', records: 1, first_timestamp: '', last_timestamp: '' },
      { participant: 'P001', type: 'ratings-continuous', records: 8, first_timestamp: '2024-01-01T00:00:03.000Z', last_timestamp: '2024-01-01T00:00:10.000Z' },
      { participant: 'P002', type: 'chat', records: 1, first_timestamp: '2024-01-02T00:00:05.000Z', last_timestamp: '2024-01-02T00:00:05.000Z' },
      { participant: 'P002', type: 'ratings-continuous', records: 1, first_timestamp: '2024-01-02T00:00:00.000Z', last_timestamp: '2024-01-02T00:00:00.000Z' },
    ]);
    // Hand computation: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, sample variance 32/7.
    const stats = agg.stats();
    expect(stats).toHaveLength(2);
    const p1 = stats[0];
    expect(p1).toMatchObject({ participant: 'P001', type: 'ratings-continuous', field: 'value', n: 8, min: 2, max: 9, mean: 5 });
    expect(p1.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stats[1]).toMatchObject({ participant: 'P002', field: 'value', n: 1, min: 1, max: 1, mean: 1, sd: null });
  });
});
