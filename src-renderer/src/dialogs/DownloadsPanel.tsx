// The downloads panel: the queue (running, waiting, paused, interrupted) and the history,
// with pause/resume/cancel/retry/remove. Interrupted jobs (after a crash or restart) offer Resume.
import { memo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFocusTrap } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { ProgressBar, WaitLine } from '../components/JobProgressView';
import { JobResult } from '../components/JobResult';
import { SyncFoldersSection } from '../components/SyncFoldersSection';
import { toUiError } from '../lib/errors';
import { formatDateTime, formatPercent } from '../lib/format';
import { useJobs, useModel, useProgress } from '../model-context';
import { ACTIVE_STATES } from '../stores/jobs-store';

const STATE_LABEL: Record<string, { label: string; tone: string }> = {
  queued: { label: 'Queued', tone: '' }, running: { label: 'Downloading', tone: 'accent' }, waiting: { label: 'Rate-limit wait', tone: 'warn' },
  paused: { label: 'Paused', tone: 'warn' }, completed: { label: 'Done', tone: 'ok' }, failed: { label: 'Failed', tone: 'err' },
  cancelled: { label: 'Cancelled', tone: '' }, interrupted: { label: 'Interrupted', tone: 'warn' },
};

const JobItem = memo(function JobItem({ jobId }: { jobId: string }) {
  const model = useModel();
  const job = useJobs((s) => s.jobsById[jobId]);
  const p = useProgress((s) => s[jobId]);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  if (!job) return null;
  const st = STATE_LABEL[job.state] ?? { label: job.state, tone: '' };
  const act = (action: 'pauseJob' | 'resumeJob' | 'cancelJob' | 'retryJob') => {
    setError(null);
    model.jobAction(action, jobId).catch((e) => setError(toUiError(e).message));
  };
  const active = ACTIVE_STATES.has(job.state);
  return (
    <li className="job" data-testid="job-item" data-state={job.state} data-job-id={jobId}>
      <div className="job-title" title={job.title}>{job.title}</div>
      <div className="job-meta">
        <span className={`badge ${st.tone}`}>{st.label}</span>
        <span>{formatDateTime(job.createdAt)}</span>
        {p && active && <span>{formatPercent(p.fraction)} · {p.step}</span>}
      </div>
      {(active || job.state === 'interrupted') && <ProgressBar p={p} />}
      {active && <WaitLine p={p} />}
      {job.state === 'interrupted' && (
        <div className="view-sub">Stopped when the app closed. {job.resumable ? 'Resume continues where it stopped.' : 'It cannot continue; retry starts it again.'}</div>
      )}
      {job.state === 'failed' && job.error && <ErrorBox error={job.error} compact />}
      {job.state === 'completed' && <JobResult job={job} compact />}
      <div className="job-actions">
        {(job.state === 'running' || job.state === 'waiting' || job.state === 'queued') && <button type="button" className="btn small" onClick={() => act('pauseJob')}>Pause</button>}
        {(job.state === 'paused' || (job.state === 'interrupted' && job.resumable)) && <button type="button" className="btn small primary" data-testid="resume-job" onClick={() => act('resumeJob')}>Resume</button>}
        {(job.state === 'failed' || job.state === 'cancelled' || (job.state === 'interrupted' && !job.resumable)) && <button type="button" className="btn small" onClick={() => act('retryJob')}>Retry</button>}
        {active && <button type="button" className="btn small" onClick={() => model.ui.setState({ progressJobId: jobId, downloadsOpen: false })}>Details</button>}
        {(active || job.state === 'interrupted') && (confirm ? (
          <>
            <button type="button" className="btn small danger" onClick={() => { setConfirm(false); act('cancelJob'); }}>Cancel download</button>
            <button type="button" className="btn small" onClick={() => setConfirm(false)}>Keep</button>
          </>
        ) : <button type="button" className="btn small ghost" onClick={() => setConfirm(true)}>Cancel…</button>)}
        {!active && <button type="button" className="btn small ghost" onClick={() => { model.removeJob(jobId).catch((e) => setError(toUiError(e).message)); }}>Remove</button>}
      </div>
      {error && <div className="view-sub" style={{ color: 'var(--err)' }} role="alert">{error}</div>}
    </li>
  );
});

export function DownloadsPanel() {
  const model = useModel();
  const ref = useRef<HTMLDivElement>(null);
  const close = () => model.ui.setState({ downloadsOpen: false });
  useFocusTrap(ref, close);
  const queue = useJobs(useShallow((s) => s.jobIds.filter((id) => ACTIVE_STATES.has(s.jobsById[id].state) || s.jobsById[id].state === 'interrupted')));
  const history = useJobs(useShallow((s) => s.jobIds.filter((id) => !ACTIVE_STATES.has(s.jobsById[id].state) && s.jobsById[id].state !== 'interrupted')));
  return (
    <>
      <div className="drawer-backdrop" onMouseDown={close} />
      <div className="drawer" role="dialog" aria-modal="true" aria-label="Downloads" ref={ref} tabIndex={-1} data-testid="downloads-panel">
        <div className="dialog-head">
          <h2>Downloads</h2>
          <button type="button" className="btn small ghost" onClick={() => void model.reloadJobs()}>Refresh</button>
          <button type="button" className="btn ghost icon" aria-label="Close" onClick={close}>✕</button>
        </div>
        <div style={{ overflow: 'auto', flex: 1 }}>
          <SyncFoldersSection />
          <div className="section-title">Queue</div>
          {queue.length === 0 ? <p className="view-sub" style={{ padding: '0 16px' }}>Nothing downloading. Use a Download button at any level to start one.</p> : (
            <ul className="job-list" aria-label="Queue">{queue.map((id) => <JobItem key={id} jobId={id} />)}</ul>
          )}
          <div className="section-title">History</div>
          {history.length === 0 ? <p className="view-sub" style={{ padding: '0 16px' }}>Finished downloads appear here, also after a restart.</p> : (
            <ul className="job-list" aria-label="History">{history.map((id) => <JobItem key={id} jobId={id} />)}</ul>
          )}
        </div>
      </div>
    </>
  );
}
