// The CLI's one sanitizer for server-provided text: escape sequences (CSI, OSC, DCS…, 7- and
// 8-bit), C0/C1 controls and bidi controls never reach the terminal; ordinary text is untouched.
import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../../src-main/cli/terminal-text';

const ESC = '\x1b';
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
/** Anything a terminal would act on, after sanitizing. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const ACTIVE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

describe('terminalSafe', () => {
  it('removes whole escape sequences, leaving the text around them', () => {
    expect(terminalSafe(`${ESC}[31mRed${ESC}[0m study`)).toBe('Red study');
    expect(terminalSafe(`a${ESC}[2J${ESC}[1;1Hb`)).toBe('ab'); // clear screen, move cursor
    expect(terminalSafe(`x${ESC}[?25ly`)).toBe('xy'); // hide cursor (private parameter)
    expect(terminalSafe(`${ESC}]0;pwned title\x07Name`)).toBe('Name'); // OSC, BEL-terminated
    expect(terminalSafe(`${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`)).toBe('click'); // OSC 8 hyperlink, ST-terminated
    expect(terminalSafe(`a${ESC}]52;c;Y29weQ==`)).toBe('a'); // unterminated OSC (clipboard write): dropped to the end
    expect(terminalSafe(`a${ESC}Pq#0;2;0;0;0${ESC}\\b`)).toBe('ab'); // DCS (sixel)
    expect(terminalSafe(`a${ESC}(0b${ESC}c`)).toBe('ab'); // charset switch, reset
    expect(terminalSafe(`trailing${ESC}`)).toBe('trailing');
  });

  it('removes 8-bit (C1) sequences and controls', () => {
    expect(terminalSafe('\x9b31mRed\x9b0m')).toBe('Red');
    expect(terminalSafe('\x9d0;title\x9cName')).toBe('Name');
    expect(terminalSafe('a\x85b\x90junk\x9cc')).toBe('abc');
  });

  it('removes C0 controls but keeps tabs and line feeds in multi-line text', () => {
    expect(terminalSafe('ring\x07 back\x08space\x00nul\x7fdel')).toBe('ring backspacenuldel');
    expect(terminalSafe('done 100%\rFAKE')).toBe('done 100%FAKE'); // no carriage return to overwrite the line
    expect(terminalSafe('one\n\ttwo')).toBe('one\n\ttwo');
  });

  it('single-line: line breaks of every kind become one space, so a field cannot fake another line', () => {
    expect(terminalSafe('bad\n  fix: run rm -rf ~', { singleLine: true })).toBe('bad   fix: run rm -rf ~');
    expect(terminalSafe('a\r\nb\u2028c\u2029d\x0be\x0cf\tg\x85h', { singleLine: true })).toBe('a b c d e f g h');
  });

  it('removes every bidi control (Trojan Source), keeping right-to-left text itself', () => {
    for (const c of BIDI) expect(terminalSafe(`a${c}b`)).toBe('ab');
    expect(terminalSafe('exp_\u202egnp.exe')).toBe('exp_gnp.exe');
    expect(terminalSafe('دراسة המחקר')).toBe('دراسة המחקר');
  });

  it('leaves ordinary text alone: accents, CJK, emoji, combining marks, punctuation', () => {
    const text = 'Émotion — 研究 🎧 e\u0301 [brackets] (ok) 100% ~/path \\ "quotes"';
    expect(terminalSafe(text)).toBe(text);
    expect(terminalSafe(text, { singleLine: true })).toBe(text);
  });

  it('nothing active survives a mix of everything', () => {
    const nasty = `${ESC}[31m${ESC}]0;t\x07\x9b1m\u202e\x00\x1f\x7f\x9f${ESC}[${ESC}`;
    for (const singleLine of [false, true]) expect(terminalSafe(nasty + 'ok', { singleLine })).not.toMatch(ACTIVE);
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw, and the values read back unchanged', () => {
    const value = { name: `${ESC}[31mRed\x9b0m\u202eevil\u2066x\u2069\x7f\u2028`, n: -3.5 };
    const text = terminalSafeJson(JSON.stringify(value, null, 2));
    expect(text).not.toMatch(ACTIVE);
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\u202e');
    expect(JSON.parse(text)).toEqual(value);
  });
});
