// "Save code map…": the study's pseudonym map (person id, code) as a CSV the researcher keeps
// apart from the data. It never goes into an export; it is saved only when asked, with a warning.
import { useState } from 'react';
import type { PathStep } from '../../../src-shared/model';
import { codeMapPeople } from '../lib/contract-names';
import { toUiError } from '../lib/errors';
import { plural } from '../lib/format';
import { personLevel } from '../lib/levels';
import { useApp, useModel } from '../model-context';

/** Hands a text to the browser (or the desktop app's save dialog) as a file download. */
function saveText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `path`: any path inside the study (its first step, the study, names the map). */
export function SaveCodeMap({ path }: { path: readonly PathStep[] }) {
  const model = useModel();
  const descriptor = useApp((s) => s.descriptor);
  const person = personLevel(descriptor);
  const one = person?.singular ?? 'person';
  const many = person?.label.toLowerCase() ?? 'people';
  const study = descriptor?.levels.find((l) => l.parent === null)?.singular ?? 'study';
  const [note, setNote] = useState<{ text: string; tone: 'ok' | 'err' } | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setNote(null);
    try {
      const map = await model.getCodeMap(path);
      const people = codeMapPeople(map);
      if (people === 0) {
        setNote({ text: `No ${one} of this ${study} has a code yet: codes are given by the first pseudonymized export.`, tone: 'err' });
        return;
      }
      saveText(map.fileName, map.csv);
      setNote({ text: `Saved ${map.fileName} (${plural(people, one, many)}).`, tone: 'ok' });
    } catch (e) {
      setNote({ text: toUiError(e).message, tone: 'err' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="code-map" data-testid="code-map">
      <p className="explain" role="note">
        The code map turns codes back into {many}. It stays on this computer and never goes into an export.
        Keep any copy you save apart from the data you share (not in the same folder, ZIP or e-mail).
      </p>
      <div className="row-gap" style={{ marginLeft: 22 }}>
        <button type="button" className="btn small" onClick={() => void save()} disabled={busy} data-testid="save-code-map">Save code map…</button>
        {note && <span className="view-sub" role="status" style={note.tone === 'err' ? { color: 'var(--warn)' } : undefined}>{note.text}</span>}
      </div>
    </div>
  );
}
