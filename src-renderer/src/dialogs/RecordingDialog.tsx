// One file of a data type's records (a recording, an image), downloaded as itself: a small dialog
// with what the file is and where it goes, and one button. No ZIP, no tables, no CSV options.
import { useState } from 'react';
import type { ErrorInfo } from '../../../src-shared/errors';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { toUiError } from '../lib/errors';
import { formatBytes, formatDurationMs } from '../lib/format';
import { mediaNoun } from '../lib/levels';
import { useApp, useModel, useUi } from '../model-context';

export function RecordingDialog() {
  const model = useModel();
  const req = useUi((s) => s.recordingDialog)!;
  const folder = useApp((s) => s.settings?.downloadFolder);
  const caps = useApp((s) => s.appInfo?.capabilities);
  const noun = mediaNoun(useApp((s) => s.descriptor?.dataTypes.find((d) => d.id === req.type)));
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const close = () => model.ui.setState({ recordingDialog: null });
  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      await model.startExport({
        target: req.target, types: [req.type], format: 'csv', zip: false, split: 'none', anonymize: 'keep',
        includeRecordings: true, recordingIds: [req.recordingId], mediaOnly: true, bom: false, formulaProtection: false,
      });
    } catch (e) {
      setError(toUiError(e));
      setStarting(false);
    }
  };
  return (
    <Dialog
      title={`Download this ${noun}`}
      onClose={close}
      testId="recording-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={close}>Cancel</button>
          <button type="button" className="btn primary" data-autofocus data-testid="start-recording" disabled={starting} onClick={() => void start()}>{starting ? 'Starting…' : 'Download'}</button>
        </>
      }
    >
      <dl className="file-facts">
        <dt>File</dt><dd data-testid="recording-file">{req.fileName}</dd>
        {req.fileSize !== undefined && <><dt>Size</dt><dd>{formatBytes(req.fileSize)}</dd></>}
        {req.durationMs !== undefined && <><dt>Length</dt><dd>{formatDurationMs(req.durationMs)}</dd></>}
        <dt>Saved to</dt><dd className="path">{folder ?? '—'}</dd>
      </dl>
      <p className="view-sub" style={{ margin: 0 }}>
        The file is saved as it is{caps?.downloadLink ? '; once it is there, you can also download it from here.' : '.'}
      </p>
      {error && <ErrorBox error={error} />}
    </Dialog>
  );
}
