// The live numbers of one job: one bar and its percentage from the same fraction (the core's
// weighted progress), the current step in plain words, rate-limit waits, records, bytes, one
// request count (used of planned), and the time left.
import type { JobProgress } from '../../../src-shared/model';
import { formatBytes, formatCount, formatSeconds, percentOf } from '../lib/format';
import { useProgress } from '../model-context';

/** Planning: nothing measurable yet, so no percentage is claimed. */
const isPlanning = (p: JobProgress) => p.phase === 'planning' && p.requestsPlanned === 0 && p.fraction === 0;

export function ProgressBar({ p }: { p: JobProgress | undefined }) {
  const state = p?.state;
  const cls = state === 'completed' ? ' done' : state === 'failed' ? ' failed' : '';
  const planning = !!p && isPlanning(p) && (state === 'running' || state === 'queued');
  const pct = p ? percentOf(p.fraction) : 0;
  return (
    <div
      className={`progress${cls}${planning ? ' indeterminate' : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={planning ? undefined : pct}
      aria-valuetext={p ? (planning ? p.step : `${pct}%: ${p.step}`) : undefined}
      data-testid="progress-bar"
      data-percent={planning ? undefined : pct}
    >
      <div style={planning ? undefined : { width: `${pct}%` }} />
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

function timeLeft(p: JobProgress): string {
  if (p.state === 'completed') return 'done';
  if (p.state !== 'running' && p.state !== 'waiting') return '—';
  if (p.etaSeconds === null) return 'estimating…';
  return p.etaSeconds < 2 ? 'a second or two' : `about ${formatSeconds(p.etaSeconds)}`;
}

export function JobProgressView({ jobId }: { jobId: string }) {
  const p = useProgress((s) => s[jobId]);
  if (!p) return null;
  const planning = isPlanning(p);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
      <ProgressBar p={p} />
      <div className="row-gap">
        <span className="step" data-testid="job-step" aria-live="polite">{p.step}</span>
        <span className="grow" style={{ flex: 1 }} />
        {!planning && <span className="view-sub" data-testid="job-percent">{percentOf(p.fraction)}%</span>}
      </div>
      <WaitLine p={p} />
      <div className="stats">
        <div><div className="k">Records</div><div className="v" data-testid="job-records">{formatCount(p.recordsDone)}{p.recordsTotal ? ` of ${formatCount(p.recordsTotal)}` : ''}</div></div>
        {p.bytesTotal > 0 && <div><div className="k">Recordings</div><div className="v">{formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)}</div></div>}
        <div><div className="k">Requests</div><div className="v" data-testid="job-requests">{formatCount(p.requestsUsed)} of {formatCount(p.requestsPlanned)}</div></div>
        <div><div className="k">Time left</div><div className="v" data-testid="job-eta">{timeLeft(p)}</div></div>
      </div>
    </div>
  );
}
