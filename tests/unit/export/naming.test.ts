import { describe, expect, it } from 'vitest';
import {
  createUniqueNamer,
  asciiLabel,
  exportName,
  recordingFileName,
  safeFileName,
  safeFileNameWithExt,
  uniqueFileNames,
} from '../../../src-main/core/export/naming';

const HOSTILE = [
  '../../x',
  '..',
  '.',
  '...',
  'a/b\\c',
  'a:b',
  'C:\\Windows\\system32',
  '*?"<>|',
  'tab\there',
  'nul\u0000byte',
  'line\nbreak',
  '\u007fdel',
  ' leading space',
  'trailing space ',
  '.hidden',
  'trailing.',
  'CON',
  'con',
  'CON.txt',
  'nul.tar.gz',
  'COM1',
  'lpt9.mp4',
  'AUX',
  'PRN',
  'room_..:abc123',
  'EG_..:zz',
  '/etc/passwd',
  '\\\\server\\share',
  'x'.repeat(500),
  'é'.repeat(300),
  '😀'.repeat(100),
  '\u202eevil.exe',
  'Zoë Ångström',
  '李雷',
  'normal_id-123',
  'usr_ABC',
  'usr_abc',
];

function assertSafe(name: string, maxBytes = 120) {
  // eslint-disable-next-line no-control-regex
  expect(name).not.toMatch(/[/\\:*?"<>|\u0000-\u001f\u007f]/);
  expect(name).not.toBe('');
  expect(name).not.toBe('.');
  expect(name).not.toBe('..');
  expect(name).not.toMatch(/^[\s.]|[\s.]$/);
  expect(name).not.toContain('..');
  expect(name.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
  expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(maxBytes);
}

describe('safeFileName', () => {
  it('makes every hostile input a single safe path component', () => {
    for (const input of HOSTILE) assertSafe(safeFileName(input));
    for (const input of HOSTILE) assertSafe(safeFileName(input, { maxBytes: 40 }), 40);
  });

  it('keeps distinct inputs distinct (case-sensitively; the namer handles case)', () => {
    const out = HOSTILE.map((s) => safeFileName(s));
    expect(new Set(out).size).toBe(HOSTILE.length);
    // Inputs that clean to the same text still differ.
    expect(safeFileName('a:b')).not.toBe(safeFileName('a_b'));
    expect(safeFileName('a:b')).not.toBe(safeFileName('a*b'));
    const long1 = 'y'.repeat(300) + '1';
    const long2 = 'y'.repeat(300) + '2';
    expect(safeFileName(long1)).not.toBe(safeFileName(long2));
  });

  it('leaves ordinary ids and unicode names untouched', () => {
    expect(safeFileName('room_abc123')).toBe('room_abc123');
    expect(safeFileName('Zoë Ångström')).toBe('Zoë Ångström');
    expect(safeFileName('李雷')).toBe('李雷');
    expect(safeFileName('')).toBe('_');
  });

  it('is deterministic and truncates by UTF-8 bytes without splitting characters', () => {
    const s = '😀'.repeat(100);
    const a = safeFileName(s);
    expect(a).toBe(safeFileName(s));
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(120);
    expect(a).not.toContain('\ufffd');
    expect(a.startsWith('😀')).toBe(true);
  });

  it('neutralises reserved Windows names with or without extension', () => {
    for (const n of ['CON', 'con.txt', 'Nul.tar.gz', 'COM1', 'lpt3.mp4', 'aux']) {
      expect(safeFileName(n).startsWith('_')).toBe(true);
    }
    expect(safeFileName('console')).toBe('console');
  });
});

describe('file names built from records', () => {
  it('keeps the extension when the stem is long', () => {
    const n = safeFileNameWithExt('z'.repeat(400), 'mp4');
    expect(n.endsWith('.mp4')).toBe(true);
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(120);
  });

  it('names recordings like the SDK, every part safe', () => {
    expect(recordingFileName({ recordingId: 'EG_1', participantName: 'Alice', participantId: 'u1', format: 'mp4', metadata: { type: 'video' } })).toBe('Alice_video_EG_1.mp4');
    expect(recordingFileName({ recordingId: 'EG_2', participantId: 'u1', metadata: { type: 'audio' } })).toBe('u1_audio_EG_2.webm');
    expect(recordingFileName({ recordingId: 'EG_3' })).toBe('unknown_recording_EG_3.mp4');
    expect(recordingFileName({ recordingId: 'EG_4', participantName: 'Alice', format: 'mp4' }, { participantCode: 'P007' })).toBe('P007_recording_EG_4.mp4');
    const hostile = recordingFileName({ recordingId: 'EG_..:x/../y', participantName: '../../etc', format: 'm/p4', metadata: { type: 'CON' } });
    assertSafe(hostile, 160);
    expect(hostile).not.toContain('/');
  });

  it('names an export after its study, scope and label, in ASCII', () => {
    const date = new Date('2026-11-30T23:59:00Z');
    const study = { name: 'Emotion Study', id: 'exp_abc123' };
    expect(exportName({ study, level: 'experiment', date })).toBe('Emotion-Study_experiment_2026-11-30');
    expect(exportName({ study, level: 'room', item: { label: 'Session 1', id: 'room_9' }, date })).toBe('Emotion-Study_room-Session-1_2026-11-30');
    expect(exportName({ study, level: 'participant', item: { label: 'P003', id: 'P003' }, date })).toBe('Emotion-Study_participant-P003_2026-11-30');
    expect(exportName({ study, level: 'room', item: { id: 'room_9' }, detail: 'events filtered', date })).toBe('Emotion-Study_room-room_9_events-filtered_2026-11-30');
    // Em dashes, accents, quotes and other scripts become plain ASCII.
    expect(exportName({ study: { name: 'Joint Attention — Dyads', id: 'e' }, level: 'experiment', date })).toBe('Joint-Attention-Dyads_experiment_2026-11-30');
    expect(exportName({ study: { name: 'Café Conversations', id: 'e' }, level: 'participant', item: { label: 'Łukasz Wróbel', id: 'u1' }, date })).toBe('Cafe-Conversations_participant-Lukasz-Wrobel_2026-11-30');
    for (const name of ['Übungsstudie Ω', 'Shared Reality 共享', 'Negotiation "Round 2"', '../../Trust: "Game"']) {
      const n = exportName({ study: { name, id: 'exp/..' }, level: 'room', item: { label: '李雷', id: 'room_..:x' }, date });
      assertSafe(n, 200);
      expect(n).toMatch(/^[A-Za-z0-9._-]+$/);
    }
    // No Latin letter left: the id stands in (hashed when it had to be cleaned).
    expect(exportName({ study: { name: '共享', id: 'exp_1' }, level: 'participant', item: { label: '李雷', id: 'usr_7' }, date })).toBe('exp_1_participant-usr_7_2026-11-30');
    expect(exportName({ study: { id: 'exp_1' }, level: 'room', item: { id: 'room_..:x' }, date })).toMatch(/^exp_1_room-room_-x-[0-9a-f]{6}_2026-11-30$/);
  });

  it('never gives two scopes the same name', () => {
    const date = new Date('2026-11-30T00:00:00Z');
    const study = { name: 'Emotion Study', id: 'exp_1' };
    const names = [
      exportName({ study, level: 'experiment', date }),
      exportName({ study, level: 'room', item: { label: 'experiment', id: 'r' }, date }),
      exportName({ study, level: 'participant', item: { label: 'experiment', id: 'p' }, date }),
      exportName({ study, level: 'room', item: { label: 'Session 1', id: 'r1' }, date }),
      exportName({ study, level: 'participant', item: { label: 'Session 1', id: 'p1' }, date }),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  it('folds labels to ASCII letters, digits and single dashes', () => {
    expect(asciiLabel('Zoë Ångström')).toBe('Zoe-Angstrom');
    expect(asciiLabel('Jürgen Weiß')).toBe('Jurgen-Weiss');
    expect(asciiLabel('  --a — b..c  ')).toBe('a-b-c');
    expect(asciiLabel('李雷')).toBe('');
  });
});

describe('unique names', () => {
  it('makes names unique case-insensitively, independent of arrival order when seeded', () => {
    const a = createUniqueNamer(['Room1', 'room1', 'ROOM1']);
    const b = createUniqueNamer(['ROOM1', 'room1', 'Room1']);
    const namesA = ['Room1', 'room1', 'ROOM1'].map((id) => a.name(id));
    const namesB = ['room1', 'ROOM1', 'Room1'].map((id) => b.name(id));
    expect(new Set(namesA.map((n) => n.toLowerCase())).size).toBe(3);
    expect(a.name('room1')).toBe(b.name('room1'));
    expect(a.name('Room1')).toBe(b.name('Room1'));
    expect(namesB).toHaveLength(3);
    expect(a.name('Room1')).toBe(a.name('Room1'));
  });

  it('never hands out reserved names', () => {
    const n = createUniqueNamer(['_no_room'], { reserved: ['_no_room'] });
    expect(n.name('_no_room').toLowerCase()).not.toBe('_no_room');
  });

  it('uniquifies file lists keeping extensions', () => {
    expect(uniqueFileNames(['a.mp4', 'A.mp4', 'a.mp4', 'b'])).toEqual(['a.mp4', 'A-2.mp4', 'a-3.mp4', 'b']);
  });
});
