// The live numbers of one job: bar, current step, rate-limit wait, records, bytes, requests, ETA.
import type { JobProgress } from '../../../src-shared/model';
import { formatBytes, formatCount, formatPercent, formatSeconds } from '../lib/format';
import { useProgress } from '../model-context';

export function ProgressBar({ p }: { p: JobProgress | undefined }) {
  const state = p?.state;
  const cls = state === 'completed' ? ' done' : state === 'failed' ? ' failed' : '';
  const indeterminate = p && (p.phase === 'planning' || (p.fraction === 0 && (state === 'running' || state === 'queued')));
  return (
    <div
      className={`progress${cls}${indeterminate ? ' indeterminate' : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={p ? Math.round(p.fraction * 100) : 0}
      aria-valuetext={p ? `${formatPercent(p.fraction)}: ${p.step}` : undefined}
    >
      <div style={{ width: `${Math.round((p?.fraction ?? 0) * 100)}%` }} />
    </div>
  );
}

export function WaitLine({ p }: { p: JobProgress | undefined }) {
  if (!p?.wait) return null;
  return (
    <div className="wait" data-testid="rate-wait" role="status">
      Waiting {formatSeconds(p.wait.seconds)}: {p.wait.reason}
    </div>
  );
}

export function JobProgressView({ jobId }: { jobId: string }) {
  const p = useProgress((s) => s[jobId]);
  if (!p) return null;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
      <ProgressBar p={p} />
      <div className="row-gap">
        <span className="step" data-testid="job-step" aria-live="polite">{p.step}</span>
        <span className="grow" style={{ flex: 1 }} />
        <span className="view-sub">{formatPercent(p.fraction)}</span>
      </div>
      <WaitLine p={p} />
      <div className="stats">
        <div><div className="k">Records</div><div className="v" data-testid="job-records">{formatCount(p.recordsDone)}{p.recordsTotal ? ` / ${formatCount(p.recordsTotal)}` : ''}</div></div>
        <div><div className="k">Data</div><div className="v">{formatBytes(p.bytesDone)}{p.bytesTotal ? ` / ${formatBytes(p.bytesTotal)}` : ''}</div></div>
        <div><div className="k">Requests</div><div className="v" data-testid="job-requests">{formatCount(p.requestsUsed)} / {formatCount(p.requestsPlanned)}</div></div>
        <div><div className="k">Time left</div><div className="v">{p.etaSeconds === null || p.state === 'completed' ? '—' : formatSeconds(p.etaSeconds)}</div></div>
      </div>
    </div>
  );
}
