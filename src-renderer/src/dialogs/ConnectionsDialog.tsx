// First run and profile management: add a connection (masked key, environment, organization),
// see the key check in plain words, switch and remove profiles, see where each key is stored.
import { useState, type FormEvent } from 'react';
import type { Environment, KeyValidation, NewProfile, ProfileSummary } from '../../../src-shared/model';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { toUiError } from '../lib/errors';
import { useApp, useModel } from '../model-context';

const ENVIRONMENTS: Array<{ id: Environment; label: string; hint: string }> = [
  { id: 'production', label: 'Production', hint: 'api.hyperstudy.io: where your real studies live.' },
  { id: 'development', label: 'Development', hint: 'The HyperStudy development server, for testing.' },
  { id: 'custom', label: 'Custom URL', hint: 'A self-hosted or local HyperStudy API (…/api/v3).' },
];

function ValidationResult({ v }: { v: KeyValidation }) {
  if (v.outcome === 'accepted') {
    return (
      <div className="ok-box" role="status" data-testid="key-validation" data-outcome={v.outcome}>
        <div className="msg">{v.message}</div>
        {v.fix && <div className="fix">{v.fix}</div>}
      </div>
    );
  }
  return (
    <div data-testid="key-validation" data-outcome={v.outcome}>
      <ErrorBox
        error={{
          code: v.outcome === 'not-hyperstudy' ? 'NOT_HYPERSTUDY' : v.outcome === 'unreachable' ? 'UNREACHABLE' : v.outcome === 'missing-scopes' ? 'FORBIDDEN' : 'UNAUTHORIZED',
          message: v.message,
          ...(v.fix ? { fix: v.fix } : {}),
          ...(v.missingScopes?.length ? { details: { required: v.missingScopes } } : {}),
        }}
      />
    </div>
  );
}

function ProfileRow({ p }: { p: ProfileSummary }) {
  const model = useModel();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <li className="profile" data-testid="profile-row" data-profile={p.name}>
      <div className="who">
        <div className="name">
          {p.name} {p.active && <span className="badge ok">In use</span>} {p.demo && <span className="badge accent">Demo</span>}
        </div>
        <div className="meta" title={p.baseUrl}>
          {p.environment === 'custom' ? p.baseUrl : p.environment}
          {p.organizationId ? ` · org ${p.organizationId}` : ''}
          {p.keyHint ? ` · key ${p.keyHint}` : p.hasKey ? '' : ' · no key'}
        </div>
        <div className="meta" data-testid="key-storage">
          {p.keyStorage.description}
          {!p.keyStorage.persistent && <span className="badge warn" style={{ marginLeft: 6 }}>Session only</span>}
        </div>
        {p.keyStorage.warning && <div className="meta" style={{ color: 'var(--warn)', whiteSpace: 'normal' }}>{p.keyStorage.warning}</div>}
        {error && <div className="meta" style={{ color: 'var(--err)' }}>{error}</div>}
      </div>
      {!p.active && <button type="button" className="btn small" onClick={() => { model.activateProfile(p.id).catch((e) => setError(toUiError(e).message)); }}>Use</button>}
      {confirming ? (
        <>
          <button type="button" className="btn small danger" onClick={() => { model.removeProfile(p.id).catch((e) => setError(toUiError(e).message)); setConfirming(false); }}>Remove {p.name}</button>
          <button type="button" className="btn small" onClick={() => setConfirming(false)}>Keep</button>
        </>
      ) : (
        <button type="button" className="btn small ghost" onClick={() => setConfirming(true)} aria-label={`Remove ${p.name}`}>Remove…</button>
      )}
    </li>
  );
}

export function ConnectionsDialog() {
  const model = useModel();
  const profiles = useApp((s) => s.profiles);
  const descriptor = useApp((s) => s.descriptor);
  const settings = useApp((s) => s.settings);
  const canChoose = useApp((s) => !!s.appInfo?.capabilities.chooseFolder);
  const firstRun = profiles.length === 0;
  const [adding, setAdding] = useState(firstRun);
  const [name, setName] = useState(firstRun ? 'My lab' : '');
  const [apiKey, setApiKey] = useState('');
  const [showKey, setShowKey] = useState(false);
  const [environment, setEnvironment] = useState<Environment>('production');
  const [baseUrl, setBaseUrl] = useState('');
  const [organizationId, setOrganizationId] = useState('');
  const [busy, setBusy] = useState<null | 'test' | 'save'>(null);
  const [validation, setValidation] = useState<KeyValidation | null>(null);
  const [callError, setCallError] = useState<ReturnType<typeof toUiError> | null>(null);
  const close = profiles.some((p) => p.active) ? () => model.ui.setState({ connectionsOpen: false }) : undefined;

  const input = (): NewProfile => ({
    name: name.trim() || 'My lab',
    source: descriptor?.id ?? profiles.find((p) => p.active)?.source ?? '',
    environment,
    ...(environment === 'custom' ? { baseUrl: baseUrl.trim() } : {}),
    ...(organizationId.trim() ? { organizationId: organizationId.trim() } : {}),
    apiKey: apiKey.trim(),
  });

  const run = async (kind: 'test' | 'save') => {
    setBusy(kind);
    setValidation(null);
    setCallError(null);
    try {
      const v = kind === 'test' ? await model.validateProfile(input()) : await model.addProfile(input());
      setValidation(v);
      if (kind === 'save' && v.outcome === 'accepted') {
        setApiKey('');
        setAdding(false);
        model.ui.setState({ connectionsOpen: false });
      }
    } catch (e) {
      setCallError(toUiError(e));
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (e: FormEvent) => { e.preventDefault(); void run('save'); };
  const canSubmit = apiKey.trim().length > 0 && (environment !== 'custom' || baseUrl.trim().length > 0) && !busy;

  return (
    <Dialog title={firstRun ? 'Connect to HyperStudy' : 'Connections'} onClose={close} testId="connections-dialog" wide>
      {firstRun && (
        <p style={{ margin: 0, color: 'var(--text-2)' }}>
          Paste an API key from HyperStudy (Settings → API keys). It starts with <code>hst_live_</code> or <code>hst_test_</code>.
          The key is checked with one request and then stored safely on this computer; it is never shown again.
        </p>
      )}
      {profiles.length > 0 && (
        <section aria-label="Saved connections">
          <div className="field-label" style={{ marginBottom: 6 }}>Saved connections</div>
          <ul className="profile-list">{profiles.map((p) => <ProfileRow key={p.id} p={p} />)}</ul>
        </section>
      )}
      {!adding ? (
        <div><button type="button" className="btn" onClick={() => { setAdding(true); setValidation(null); }}>Add a connection…</button></div>
      ) : (
        <form onSubmit={onSubmit} style={{ display: 'flex', flexDirection: 'column', gap: 12 }} aria-label="Add a connection">
          <div className="two-col">
            <div className="field">
              <label htmlFor="conn-name">Name</label>
              <input id="conn-name" className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="My lab" />
            </div>
            <div className="field">
              <label htmlFor="conn-org">Organization ID <span style={{ fontWeight: 400 }}>(optional)</span></label>
              <input id="conn-org" className="input" value={organizationId} onChange={(e) => setOrganizationId(e.target.value)} placeholder="Only for experiments shared across organizations" />
            </div>
          </div>
          <div className="field">
            <label htmlFor="conn-key">API key</label>
            <div className="key-input">
              <input
                id="conn-key"
                data-autofocus
                className="input"
                type={showKey ? 'text' : 'password'}
                autoComplete="off"
                spellCheck={false}
                value={apiKey}
                onChange={(e) => setApiKey(e.target.value)}
                placeholder="hst_live_…"
              />
              <button type="button" className="btn" aria-pressed={showKey} onClick={() => setShowKey((x) => !x)}>{showKey ? 'Hide' : 'Show'}</button>
            </div>
          </div>
          <fieldset>
            <legend>Environment</legend>
            {ENVIRONMENTS.map((env) => (
              <label key={env.id} className="checkbox">
                <input type="radio" name="env" value={env.id} checked={environment === env.id} onChange={() => setEnvironment(env.id)} />
                <span><strong style={{ fontWeight: 550 }}>{env.label}</strong> <span className="view-sub">{env.hint}</span></span>
              </label>
            ))}
            {environment === 'custom' && (
              <input className="input" aria-label="Custom API URL" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:8787/api/v3" style={{ marginLeft: 22 }} />
            )}
          </fieldset>
          {validation && <ValidationResult v={validation} />}
          {callError && <div data-testid="key-validation" data-outcome="error"><ErrorBox error={callError} /></div>}
          <div className="row-gap">
            <button type="submit" className="btn primary" disabled={!canSubmit}>{busy === 'save' ? 'Checking the key…' : 'Check and save'}</button>
            <button type="button" className="btn" disabled={!canSubmit} onClick={() => void run('test')}>{busy === 'test' ? 'Checking…' : 'Check only'}</button>
            {!firstRun && <button type="button" className="btn ghost" onClick={() => setAdding(false)}>Cancel</button>}
          </div>
        </form>
      )}
      {settings && (
        <section aria-label="Download folder" className="field">
          <div className="field-label">Download folder</div>
          <div className="row-gap">
            <span className="path" data-testid="download-folder">{settings.downloadFolder}</span>
            {canChoose && <button type="button" className="btn small" onClick={() => void model.chooseDownloadFolder()}>Choose…</button>}
          </div>
          {!canChoose && <div className="hint">In browser mode the folder is set where the server runs (settings file or <code>--download-folder</code>).</div>}
        </section>
      )}
    </Dialog>
  );
}
