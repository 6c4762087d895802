// The one sanitizer for text the CLI shows on a terminal. Experiment names, error messages,
// warnings and ids come from a server we do not control: embedded escape sequences could recolour,
// retitle, hide or rewrite what the user sees (CSI, OSC — e.g. a fake "done" line or a hyperlink),
// and bidi controls could reorder it (the "Trojan Source" trick). Human output drops all of them;
// JSON output escapes them instead, so the values stay exact for the program reading them.

/** Escape sequences, 7-bit (ESC …) and 8-bit (C1 introducers), removed whole so no "[31m" debris remains. */
const ESCAPE_SEQUENCES = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]', // CSI: ESC [ params intermediates final
    '\\x9b[0-?]*[ -/]*[@-~]', // CSI, 8-bit
    '(?:\\x1b\\]|\\x9d)[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?', // OSC … BEL or ST (to the end if unterminated)
    '(?:\\x1b[PX^_]|[\\x90\\x98\\x9e\\x9f])[^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)?', // DCS, SOS, PM, APC … ST
    '\\x1b[ -/]*[0-~]?', // any other ESC sequence (charset switches, RIS, …), or a lone ESC
  ].join('|'),
  'g',
);

/** C0 controls except tab and line feed, DEL, and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Bidirectional formatting controls: embeddings/overrides, isolates, LRM/RLM and the Arabic letter mark. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** Line and tab breaks that would split a one-line field (a table cell, "error: …"). */
const LINE_BREAKS = /[\t\n\r\v\f\u0085\u2028\u2029]+/g;

/**
 * `text` with every terminal escape sequence, control character and bidi control removed.
 * Multi-line text keeps its tabs and line feeds; `singleLine` turns any run of them into one space.
 */
export function terminalSafe(text: string, opts: { singleLine?: boolean } = {}): string {
  let s = text.replace(ESCAPE_SEQUENCES, '');
  if (opts.singleLine) s = s.replace(LINE_BREAKS, ' ');
  return s.replace(CONTROLS, '').replace(BIDI_CONTROLS, '');
}

/** Characters JSON.stringify leaves raw that a terminal would act on: DEL, C1 controls, bidi controls, line separators. */
const JSON_RAW_CONTROLS = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/g;

/** JSON text with those characters written as \uXXXX escapes: the same values, nothing for a terminal to act on. */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_RAW_CONTROLS, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}
