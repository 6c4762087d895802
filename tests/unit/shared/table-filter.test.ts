import { describe, expect, it } from 'vitest';
import { cellMatches, compileFilter, describeFilter, parseNumber, parseTime, wallTimeToEpoch } from '../../../src-shared/table-filter';
import { formatCell, formatDateTime } from '../../../src-shared/display-format';
import type { ColumnKind } from '../../../src-shared/model';

const match = (value: unknown, input: string, kind: ColumnKind = 'number', tz = 'UTC') => cellMatches(value, kind, compileFilter(input, kind, tz)!, tz);

describe('number filters', () => {
  it('compares, ranges and finds numbers written as shown', () => {
    expect(match(150_000, '>100000')).toBe(true);
    expect(match(100_000, '>100000')).toBe(false);
    expect(match(100_000, '>=100,000')).toBe(true);
    expect(match(99, '<= 99')).toBe(true);
    expect(match(15, '10..20')).toBe(true);
    expect(match(21, '10 to 20')).toBe(false);
    expect(match(-5, '<0')).toBe(true);
    // "8,353" (as the cell shows it) and "8353" (as the data holds it) both find 8353; so do parts.
    expect(match(8353, '8,353')).toBe(true);
    expect(match(8353, '8353')).toBe(true);
    expect(match(8353, '835')).toBe(true);
    expect(match(8354, '8,353')).toBe(false);
    // Empty cells never pass a comparison.
    expect(match(null, '>0')).toBe(false);
  });

  it('reads bytes and durations the way those cells show them', () => {
    expect(parseNumber('1.5 MB', 'bytes')).toBe(1_500_000);
    expect(parseNumber('1:30', 'duration-ms')).toBe(90_000);
    expect(parseNumber('1:02:03', 'duration-ms')).toBe(3_723_000);
    expect(match(2_000_000, '>1.5 MB', 'bytes')).toBe(true);
    expect(match(80_000, '<1:30', 'duration-ms')).toBe(true);
    expect(match(80_000, formatCell(80_000, 'duration-ms'), 'duration-ms')).toBe(true);
  });

  it('keeps text filters as substrings, case-insensitively', () => {
    expect(match('component.completed', 'COMPLETED', 'text')).toBe(true);
    expect(match('a..b', 'a..b', 'text')).toBe(true);
    expect(match('chat', '>x', 'text')).toBe(false);
  });
});

describe('time filters', () => {
  const at = '2026-11-30T14:03:22.125Z';
  it('reads a date as the whole day and a minute as that minute, in the viewer time zone', () => {
    expect(match(at, '2026-11-30', 'datetime')).toBe(true);
    expect(match(at, '>2026-11-30', 'datetime')).toBe(false);
    expect(match(at, '>=2026-11-30', 'datetime')).toBe(true);
    expect(match(at, '<2026-12-01', 'datetime')).toBe(true);
    expect(match(at, '2026-11-30 14:03', 'datetime')).toBe(true);
    expect(match(at, '2026-11-30 14:04', 'datetime')).toBe(false);
    expect(match(at, '2026-11-29..2026-11-30', 'datetime')).toBe(true);
    // 14:03 UTC is 15:03 in Berlin (CET): the same instant typed in the Berlin viewer's zone.
    expect(match(at, '2026-11-30 15:03', 'datetime', 'Europe/Berlin')).toBe(true);
    expect(match(at, '2026-11-30 14:03', 'datetime', 'Europe/Berlin')).toBe(false);
    // An explicit offset wins over the zone.
    expect(match(at, '>2026-11-30T14:00Z', 'datetime', 'Europe/Berlin')).toBe(true);
  });

  it('finds a time by what the cell shows', () => {
    const shown = formatDateTime(at, 'Europe/Berlin');
    expect(shown).toMatch(/^30 Nov 2026, 15:03:22\.125 /);
    expect(match(at, shown.slice(0, 20), 'datetime', 'Europe/Berlin')).toBe(true);
    expect(match(at, 'Nov 2026', 'datetime', 'Europe/Berlin')).toBe(true);
    expect(match(at, '>= 30 Nov 2026, 15:03', 'datetime', 'Europe/Berlin')).toBe(true);
  });

  it('handles days that are not 24 hours long', () => {
    // Europe/Berlin leaves summer time on 2026-10-25: that day has 25 hours.
    const day = parseTime('2026-10-25', 'Europe/Berlin')!;
    expect((day.end - day.start) / 3_600_000).toBe(25);
    expect(wallTimeToEpoch(2026, 10, 25, 12, 0, 0, 0, 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 11, 0, 0));
  });

  it('explains what it understood', () => {
    expect(describeFilter(compileFilter('>100000', 'number'), 'number')).toBe('> 100,000');
    expect(describeFilter(compileFilter('10..20', 'number'), 'number')).toBe('≥ 10 and ≤ 20');
    expect(describeFilter(compileFilter('chat', 'text'), 'text')).toBe('');
  });
});
