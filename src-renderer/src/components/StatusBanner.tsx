// Banners for a server we cannot use: offline (keeps retrying with a countdown), key rejected,
// not a HyperStudy server, or the link to our own local server dropped.
import { useEffect, useState } from 'react';
import { useApp, useModel } from '../model-context';

const RETRY_STEPS = [5, 10, 20, 30, 60];

export function StatusBanner() {
  const model = useModel();
  const conn = useApp((s) => s.connection);
  const lost = useApp((s) => s.transportLost);
  const [attempt, setAttempt] = useState(0);
  const [secondsLeft, setSecondsLeft] = useState(RETRY_STEPS[0]);
  const offline = conn?.state === 'offline';

  useEffect(() => {
    if (!offline) { setAttempt(0); return; }
    const wait = RETRY_STEPS[Math.min(attempt, RETRY_STEPS.length - 1)];
    setSecondsLeft(wait);
    const tick = setInterval(() => setSecondsLeft((s) => Math.max(0, s - 1)), 1000);
    const retry = setTimeout(() => { void model.refreshConnection().finally(() => setAttempt((a) => a + 1)); }, wait * 1000);
    return () => { clearInterval(tick); clearTimeout(retry); };
  }, [offline, attempt, model]);

  if (lost) {
    return (
      <div className="banner err" role="alert" data-testid="banner">
        <span className="msg">Lost the link to the Study Downloader server.</span>
        <span className="fix grow">Reconnecting… Downloads keep running in the server; check that it is still running.</span>
      </div>
    );
  }
  if (!conn || conn.state === 'online' || conn.state === 'checking' || conn.state === 'no-profile') return null;
  const tone = conn.state === 'forbidden' ? 'warn' : 'err';
  return (
    <div className={`banner ${tone}`} role="alert" data-testid="banner" data-state={conn.state}>
      <span className="msg">{conn.message}</span>
      {conn.fix && <span className="fix">{conn.fix}</span>}
      <span className="grow" />
      {offline && <span className="fix nowrap" aria-live="polite">Retrying in {secondsLeft} s</span>}
      <button type="button" className="btn small" onClick={() => { void model.refreshConnection(); setAttempt(0); }}>Retry now</button>
      {(conn.state === 'unauthorized' || conn.state === 'not-hyperstudy') && (
        <button type="button" className="btn small" onClick={() => model.ui.setState({ connectionsOpen: true })}>Fix connection…</button>
      )}
    </div>
  );
}
