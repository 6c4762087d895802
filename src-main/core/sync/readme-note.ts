// The paragraph a sync folder's README.txt adds to the export's own: how the folder stays up to
// date, and what a sync cannot see, in the source's words for its levels.
import type { SourceDescriptor, Target } from '../../../src-shared/model';

export function syncReadmeNote(descriptor: SourceDescriptor, target: Target): string {
  const child = descriptor.levels.find((l) => l.parent === target.level && descriptor.splits.some((s) => s.level === l.id && !s.person));
  const groups = child ? child.label.toLowerCase() : 'items';
  return [
    'KEPT UP TO DATE',
    '',
    'This folder is kept up to date by Study Downloader ("Keep up to date" in the app, or',
    '`studydl sync <this folder>`). Each sync asks only for what is new, reads again anything that',
    `changed before its last position (late data), and rewrites every file whole, in the order and`,
    'with the bytes a fresh export of the same data would have; metadata.json lists every sync.',
    '',
    'Limits:',
    '- Records deleted or changed on the server after they were downloaded are not noticed: the API',
    '  cannot report them.',
    `- ${groups.charAt(0).toUpperCase() + groups.slice(1)} that finished a while ago are not read again. \`studydl sync <folder> --verify\``,
    `  checks every one of them, and \`studydl sync <folder> --full\` rebuilds the folder from scratch.`,
  ].join('\n');
}
