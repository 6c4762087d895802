import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDurationMs, formatPercent, formatSeconds, plural } from '../../../src-renderer/src/lib/format';
import { formatCell, humanizeKey, readField } from '../../../src-renderer/src/lib/cells';

describe('human numbers', () => {
  it('formats counts with thousands separators and a dash for unknowns', () => {
    expect(formatCount(48000)).toBe('48,000');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(undefined)).toBe('—');
    expect(formatCount(Number.NaN)).toBe('—');
  });
  it('formats bytes in decimal units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_200_000_000)).toBe('1.2 GB');
    expect(formatBytes(6_400_000)).toBe('6.4 MB');
    expect(formatBytes(-1)).toBe('—');
  });
  it('formats seconds for reading: "42 s", "3 min", "1 h 5 min"', () => {
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(180)).toBe('3 min');
    expect(formatSeconds(3900)).toBe('1 h 5 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(null)).toBe('—');
  });
  it('formats durations clock-style and percentages clamped', () => {
    expect(formatDurationMs(2_400_000)).toBe('40:00');
    expect(formatDurationMs(3_723_000)).toBe('1:02:03');
    expect(formatPercent(0.504)).toBe('50%');
    expect(formatPercent(1.7)).toBe('100%');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(1200, 'file')).toBe('1,200 files');
  });
});

describe('cells', () => {
  it('formats by column kind', () => {
    expect(formatCell(1234567, 'number')).toBe('1,234,567');
    expect(formatCell(1_500_000, 'bytes')).toBe('1.5 MB');
    expect(formatCell({ a: 1 }, 'json')).toBe('{"a":1}');
    expect(formatCell(null, 'text')).toBe('');
    expect(formatCell('2024-03-04T09:00:00Z', 'datetime')).toMatch(/2024/);
  });
  it('reads flat keys first, then nested paths', () => {
    expect(readField({ response_value: 3 }, 'response_value')).toBe(3);
    expect(readField({ response: { value: 4 } }, 'response_value')).toBe(4);
    expect(readField({ metadata: { type: 'audio' } }, 'metadata.type')).toBe('audio');
    expect(readField({}, 'missing')).toBeUndefined();
  });
  it('humanizes unknown keys', () => {
    expect(humanizeKey('response_responseTime')).toBe('Response response Time');
    expect(humanizeKey('eventType')).toBe('Event Type');
  });
});
