// Status words as calm coloured pills.
const TONES: Record<string, string> = {
  own: 'accent', shared: 'warn', active: 'ok', completed: 'ok', complete: 'ok', finished: 'ok', running: 'accent', live: 'accent',
  waiting: 'warn', paused: 'warn', draft: '', archived: '', failed: 'err', error: 'err', cancelled: '', dropped: 'err', disconnected: 'warn',
};

export function StatusBadge({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return null;
  const s = String(value);
  const tone = TONES[s.toLowerCase()] ?? '';
  const label = s.length > 0 ? s.charAt(0).toUpperCase() + s.slice(1) : s;
  return <span className={`badge ${tone}`}>{label}</span>;
}
