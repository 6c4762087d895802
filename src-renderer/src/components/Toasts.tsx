// Notices from the core (e.g. "Export finished", "Rate limit tighter than configured"), dismissible.
import { useEffect } from 'react';
import { useApp, useModel } from '../model-context';

export function Toasts() {
  const model = useModel();
  const notices = useApp((s) => s.notices);
  useEffect(() => {
    if (notices.length === 0) return;
    const oldest = notices[0];
    const t = setTimeout(() => model.dismissNotice(oldest.id), oldest.level === 'error' ? 15_000 : 6_000);
    return () => clearTimeout(t);
  }, [notices, model]);
  if (notices.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className="toast" role={n.level === 'error' ? 'alert' : 'status'}>
          <span className={`dot ${n.level === 'error' ? 'err' : n.level === 'warning' ? 'warn' : 'ok'}`} style={{ marginTop: 5 }} aria-hidden="true" />
          <div className="grow">
            <div>{n.message}</div>
            {n.fix && <div className="view-sub">{n.fix}</div>}
          </div>
          <button type="button" className="btn ghost small" aria-label="Dismiss" onClick={() => model.dismissNotice(n.id)}>✕</button>
        </div>
      ))}
    </div>
  );
}
