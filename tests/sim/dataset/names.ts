// Value pools for realistic synthetic data: unicode names, awkward chat text, study vocabulary.

export const PEOPLE = [
  'Zoë Ångström', '李雷', 'Alice Martin', 'Bob Okafor', 'Håkon Øster', 'Nguyễn Thị Minh', 'José Ñúñez',
  'Ольга Петрова', 'محمد علي', "Siobhán O'Connor", 'Chloé "Coco" Dupont', 'Alex 🦊 Kim', 'Priya Raman',
  'Jürgen Weiß', 'Aiko Tanaka', 'Łukasz Wróbel', 'Fatima Zahra', 'Sam Taylor', 'Mateo García', 'Emma, Jr.',
  '韩梅梅', 'Noah Schmidt', 'Ines Costa', 'Kwame Mensah',
];

export const CHAT_LINES = [
  'Hello, everyone!',
  'She said "wait for the signal" and then left',
  'line one\nline two',
  '=SUM(A1:A3)',
  '+1 agree',
  '-5 seconds off, I think',
  '@host can you hear me?',
  'ok 👍',
  'Привет, как дела?',
  'a,b,"c"\r\nd',
  'tab\tseparated\tvalues',
  '   leading spaces',
  "It's fine; really.",
  '=HYPERLINK("http://example.invalid","click")',
  'Can we start? 😀',
  '你好，世界',
  'Done.',
  'trailing comma,',
];

export const EXPERIMENT_NAMES = [
  'Emotion Study', 'Joint Attention — Dyads', 'Film Synchrony, Spring Cohort', 'Café Conversations',
  'Trust Game (pilot)', 'Übungsstudie Ω', 'Shared Reality 共享', 'Negotiation "Round 2"',
];

export const EXPERIMENT_DESCRIPTIONS = [
  'A study on emotional responses to film clips',
  'Pairs watch clips together, rate them continuously,\nthen chat about them.',
  'Measures synchrony of "engagement" ratings across viewers; 5–10 Hz sampling',
  'Free conversation, then a short questionnaire (post_experiment).',
];

export const COMPONENT_TYPES = ['ShowVideo', 'TextInput', 'MultipleChoice', 'VASRating', 'Instructions', 'Consent', 'Likert'];
export const STATE_NAMES = ['Welcome', 'Consent', 'Instructions', 'Clip 1', 'Clip 2', 'Discussion', 'Questionnaire', 'Debrief'];
export const ROLES = ['viewer', 'speaker', 'listener', 'observer'];
export const COMPLETION_CODES = ['SUCCESS', 'TIMEOUT', 'TECHNICAL', 'NOCONSENT', 'ABANDONED', 'COMPLETED_NO_CODE'];
export const BROWSERS = ['Chrome 131', 'Firefox 133', 'Safari 18.1', 'Edge 131'];
export const OSES = ['macOS 14.6', 'Windows 11', 'Ubuntu 24.04', 'iPadOS 17'];

/** ASCII-only email local part derived from a display name. */
export function emailFor(name: string, n: number): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '.');
  return `${ascii || 'participant'}${n}@example.org`;
}
