// The app bar: profile switcher, which connection (and source) is in use and how it is doing,
// the rate budget at a glance, downloads, theme.
import { useShallow } from 'zustand/react/shallow';
import type { Theme } from '../../../src-shared/model';
import { NOT_THIS_API_STATE } from '../lib/contract-names';
import { useApp, useJobs, useModel } from '../model-context';
import { ACTIVE_STATES } from '../stores/jobs-store';

const STATE_LABEL: Record<string, { label: string; tone: string }> = {
  online: { label: 'Connected', tone: 'ok' },
  checking: { label: 'Checking…', tone: '' },
  offline: { label: 'Offline', tone: 'err' },
  unauthorized: { label: 'Key rejected', tone: 'err' },
  forbidden: { label: 'No access', tone: 'warn' },
  'no-profile': { label: 'No connection', tone: 'warn' },
};

const NEXT_THEME: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

export function TopBar() {
  const model = useModel();
  const profiles = useApp(useShallow((s) => s.profiles.map((p) => `${p.id}\u0000${p.name}\u0000${p.active ? 1 : 0}\u0000${p.demo ? 1 : 0}\u0000${s.sources.find((x) => x.id === p.source)?.label ?? p.source}`)));
  const sourceLabel = useApp((s) => s.descriptor?.label ?? '');
  const manySources = useApp((s) => new Set(s.profiles.map((p) => p.source)).size > 1);
  const connState = useApp((s) => s.connection?.state ?? 'checking');
  const budgetSummary = useApp((s) => s.budget?.summary ?? '');
  const demo = useApp((s) => !!s.appInfo?.demo);
  const theme = useApp((s) => s.settings?.theme ?? 'system');
  const activeJobs = useJobs((s) => s.jobIds.filter((id) => ACTIVE_STATES.has(s.jobsById[id].state)).length);
  const parsed = profiles.map((p) => { const [id, name, active, isDemo, source] = p.split('\u0000'); return { id, name, active: active === '1', demo: isDemo === '1', source }; });
  const active = parsed.find((p) => p.active);
  const lost = useApp((s) => s.transportLost);
  // One truth at a glance: a dropped link to the app's server is not "Connected".
  const st = lost ? { label: 'Reconnecting…', tone: 'warn' }
    : connState === 'no-profile' && active ? { label: 'Key needed', tone: 'warn' }
    : connState === NOT_THIS_API_STATE ? { label: `Not ${sourceLabel}`, tone: 'err' }
    : (STATE_LABEL[connState] ?? STATE_LABEL.checking);
  // Which connection is in use, to which source: said beside its state.
  const using = active ? `${active.name} · ${active.source}` : '';

  return (
    <header className="topbar">
      <div className="brand"><span className="brand-mark" aria-hidden="true" />Study Downloader</div>
      {demo && <span className="badge accent" title="Started by npm run demo: data comes from the built-in simulator">Demo</span>}
      {parsed.length > 0 && (
        <label className="pill">
          <span className="visually-hidden">Connection profile</span>
          <select
            className="select"
            value={active?.id ?? ''}
            aria-label="Connection profile"
            onChange={(e) => { void model.activateProfile(e.target.value); }}
          >
            {!active && <option value="">Choose a connection…</option>}
            {parsed.map((p) => <option key={p.id} value={p.id}>{p.name}{p.demo && !/demo/i.test(p.name) ? ' (demo)' : ''}{manySources ? ` · ${p.source}` : ''}</option>)}
          </select>
        </label>
      )}
      <button type="button" className="btn" onClick={() => model.ui.setState({ connectionsOpen: true })}>Connections…</button>
      <span
        className="pill"
        data-testid="connection-state"
        data-state={lost ? 'link-lost' : connState}
        data-source={active?.source}
        title={[using && `Connection: ${using}`, budgetSummary].filter(Boolean).join(' · ')}
      >
        <span className={`dot ${st.tone}`} aria-hidden="true" />{st.label}
        {active && <span className="source-name" data-testid="active-source">{active.source}</span>}
      </span>
      <div className="spacer" />
      {budgetSummary && parsed.length > 0 && <span className="pill budget" data-testid="budget" title="Your key's rate-limit budget">{budgetSummary}</span>}
      <button
        type="button"
        className="btn"
        aria-label={`Theme: ${theme}`}
        title={`Theme: ${theme} (click to change)`}
        onClick={() => { void model.updateSettings({ theme: NEXT_THEME[theme] }); }}
      >
        {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
      </button>
      <button type="button" className="btn" data-testid="open-downloads" onClick={() => model.ui.setState({ downloadsOpen: true })}>
        Downloads{activeJobs > 0 && <span className="badge accent">{activeJobs}</span>}
      </button>
    </header>
  );
}
