// The progress modal for one job: live numbers, Cancel (confirmed), Run in background,
// and on completion the result (drag handle, show/open/copy, manifest summary).
import { useState } from 'react';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { JobProgressView } from '../components/JobProgressView';
import { JobResult } from '../components/JobResult';
import { toUiError } from '../lib/errors';
import { useJobs, useModel, useUi } from '../model-context';
import { isTerminal } from '../stores/jobs-store';

const STATE_TITLE: Record<string, string> = {
  queued: 'Waiting to start', running: 'Downloading', waiting: 'Waiting for the rate limit', paused: 'Paused',
  completed: 'Download complete', failed: 'Download failed', cancelled: 'Download cancelled', interrupted: 'Download interrupted',
};

export function ProgressModal() {
  const model = useModel();
  const jobId = useUi((s) => s.progressJobId)!;
  const job = useJobs((s) => s.jobsById[jobId]);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  if (!job) return null;
  const done = isTerminal(job.state);
  const close = () => model.ui.setState({ progressJobId: null });
  const toBackground = () => model.ui.setState({ progressJobId: null, downloadsOpen: true });
  const act = (p: Promise<void>) => p.catch((e) => setActionError(toUiError(e).message));

  const footer = done ? (
    <>
      {job.state === 'failed' && <button type="button" className="btn" onClick={() => act(model.jobAction('retryJob', job.id))}>Retry</button>}
      <button type="button" className="btn" onClick={toBackground}>Open downloads</button>
      <button type="button" className="btn primary" onClick={close} data-autofocus>Done</button>
    </>
  ) : confirmCancel ? (
    <>
      <span className="grow" role="alert">Cancel this download? Files written so far are removed; nothing half-finished is left.</span>
      <button type="button" className="btn" onClick={() => setConfirmCancel(false)} data-autofocus>Keep downloading</button>
      <button type="button" className="btn danger" data-testid="confirm-cancel" onClick={() => { setConfirmCancel(false); act(model.jobAction('cancelJob', job.id)); }}>Cancel download</button>
    </>
  ) : (
    <>
      {job.state === 'paused' || job.state === 'interrupted'
        ? <button type="button" className="btn" onClick={() => act(model.jobAction('resumeJob', job.id))}>Resume</button>
        : <button type="button" className="btn" onClick={() => act(model.jobAction('pauseJob', job.id))}>Pause</button>}
      <span className="grow" />
      <button type="button" className="btn danger" data-testid="cancel-job" onClick={() => setConfirmCancel(true)}>Cancel…</button>
      <button type="button" className="btn primary" data-testid="run-in-background" onClick={toBackground}>Run in background</button>
    </>
  );

  return (
    <Dialog title={STATE_TITLE[job.state] ?? 'Download'} onClose={done ? close : toBackground} footer={footer} testId="progress-modal">
      <div data-testid="job-state" data-state={job.state} style={{ fontWeight: 550 }}>{job.title}</div>
      <JobProgressView jobId={job.id} />
      {job.state === 'completed' && <JobResult job={job} />}
      {job.state === 'failed' && job.error && <ErrorBox error={job.error} />}
      {job.state === 'cancelled' && <div className="view-sub" role="status">Cancelled. The partial files were removed.</div>}
      {actionError && <div className="error-box" role="alert"><div className="msg">{actionError}</div></div>}
    </Dialog>
  );
}
