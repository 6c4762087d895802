// First run and profile management: add a connection to any source the app knows (its own
// connection fields and way of signing in, all from its descriptor), see the check in plain
// words, switch and remove profiles, see where each credential is stored.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type {
  AuthMethodDescriptor, AuthMethodId, ConnectionFieldDescriptor, DeviceSignInStart, KeyValidation, NewProfile, ProfileSummary, SourceDescriptor,
} from '../../../src-shared/model';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { NOT_THIS_API_CODE, NOT_THIS_API_OUTCOME } from '../lib/contract-names';
import { toUiError } from '../lib/errors';
import { lowerFirst } from '../lib/levels';
import { useApp, useModel } from '../model-context';

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
          code: v.outcome === NOT_THIS_API_OUTCOME ? NOT_THIS_API_CODE : v.outcome === 'unreachable' ? 'UNREACHABLE' : v.outcome === 'missing-scopes' ? 'FORBIDDEN' : 'UNAUTHORIZED',
          message: v.message,
          ...(v.fix ? { fix: v.fix } : {}),
          ...(v.missingScopes?.length ? { details: { required: v.missingScopes } } : {}),
        }}
      />
    </div>
  );
}

const fieldOf = (d: SourceDescriptor | undefined, key: ConnectionFieldDescriptor['key']) => d?.connectionFields.find((f) => f.key === key);

/**
 * Where a profile connects, in words: its source, then its connection fields as its descriptor
 * names them. A source with an environment choice uses its URL only for the custom one (the
 * contract's rule for NewProfile).
 */
export function connectionSummary(p: ProfileSummary, d: SourceDescriptor | undefined): string {
  const parts: string[] = [d?.label ?? p.source];
  const env = fieldOf(d, 'environment');
  if (env && p.environment !== 'custom') parts.push(env.choices?.find((c) => c.value === p.environment)?.label ?? p.environment);
  else parts.push(p.baseUrl);
  const org = fieldOf(d, 'organizationId');
  if (org && p.organizationId) parts.push(`${lowerFirst(org.label)} ${p.organizationId}`);
  const portal = fieldOf(d, 'portal');
  if (portal && p.portal) parts.push(`${p.portal} portal`);
  return parts.join(' · ');
}

function ProfileRow({ p }: { p: ProfileSummary }) {
  const model = useModel();
  const source = useApp((s) => s.sources.find((x) => x.id === p.source));
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // How it signs in, where its source offers several ways (a public portal says so already).
  const signedInWith = p.authMethod && p.authMethod !== 'none' && (source?.authMethods.length ?? 0) > 1
    ? source?.authMethods.find((m) => m.id === p.authMethod)?.label
    : undefined;
  return (
    <li className="profile" data-testid="profile-row" data-profile={p.name} data-source={p.source}>
      <div className="who">
        <div className="name">
          {p.name} {p.active && <span className="badge ok">In use</span>} {p.demo && <span className="badge accent">Demo</span>}
        </div>
        <div className="meta" title={p.baseUrl}>
          {connectionSummary(p, source)}
          {signedInWith ? ` · ${lowerFirst(signedInWith)}` : ''}
          {p.keyHint ? ` · ${p.keyHint}` : p.hasKey ? '' : ' · no credential'}
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

/** A choice field as radios, with the URL field nested under a custom environment. */
function ChoiceField({ field, value, onChange, children }: { field: ConnectionFieldDescriptor; value: string; onChange: (v: string) => void; children?: React.ReactNode }) {
  return (
    <fieldset>
      <legend>{field.label}</legend>
      {(field.choices ?? []).map((c) => (
        <label key={c.value} className="checkbox">
          <input type="radio" name={`conn-${field.key}`} value={c.value} checked={value === c.value} onChange={() => onChange(c.value)} />
          <span>{c.label}</span>
        </label>
      ))}
      {field.hint && <span className="hint">{field.hint}</span>}
      {children}
    </fieldset>
  );
}

/** Sign-in methods of a source that ask for something (a public portal asks for nothing: the portal choice says so). */
function signInMethods(source: SourceDescriptor): AuthMethodDescriptor[] {
  const portal = fieldOf(source, 'portal');
  return source.authMethods.filter((m) => !(portal && m.id === 'none'));
}

/** A browser sign-in under way: the page to open and the code to enter there, until it is approved. */
function DeviceCode({ start, sourceLabel, onCancel }: { start: Extract<DeviceSignInStart, { kind: 'code' }>; sourceLabel: string; onCancel: () => void }) {
  return (
    <div className="device-code" role="status" data-testid="device-sign-in">
      <p style={{ margin: 0 }}>
        {start.browserOpened ? `Your browser opened ${sourceLabel}'s sign-in page. If it did not, open ` : 'Open '}
        <a href={start.verificationUriComplete} target="_blank" rel="noopener noreferrer" data-testid="device-link">{start.verificationUri}</a>
        {' '}and enter this code:
      </p>
      <div className="code" data-testid="device-code" aria-label={`Code ${start.userCode.split('').join(' ')}`}>{start.userCode}</div>
      <p className="view-sub" style={{ margin: 0 }}><span className="spin" aria-hidden="true" /> Waiting for you to approve it there (the code is valid for about {Math.max(1, Math.round(start.expiresIn / 60))} min)…</p>
      <div><button type="button" className="btn small" onClick={onCancel}>Cancel sign-in</button></div>
    </div>
  );
}

/** The form that adds a connection to one source: its fields, then its way of signing in. */
function AddConnection({ source, sources, name, setName, onSourceChange, onCancel }: {
  source: SourceDescriptor;
  sources: SourceDescriptor[];
  /** The connection's name, kept when another source is picked. */
  name: string;
  setName: (name: string) => void;
  onSourceChange: (id: string) => void;
  onCancel?: () => void;
}) {
  const model = useModel();
  const [values, setValues] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState('');
  const [showSecret, setShowSecret] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const methods = signInMethods(source);
  const [methodId, setMethodId] = useState<AuthMethodId | undefined>(methods[0]?.id);
  const [busy, setBusy] = useState<null | 'test' | 'save'>(null);
  const [validation, setValidation] = useState<KeyValidation | null>(null);
  const [callError, setCallError] = useState<ReturnType<typeof toUiError> | null>(null);
  const [device, setDevice] = useState<Extract<DeviceSignInStart, { kind: 'code' }> | null>(null);
  const [pasteInstead, setPasteInstead] = useState<Extract<DeviceSignInStart, { kind: 'paste-token' }> | null>(null);
  const flow = useRef<string | null>(null);
  // A sign-in still waiting when the dialog closes is called off.
  useEffect(() => () => { if (flow.current) void model.cancelDeviceSignIn(flow.current).catch(() => undefined); }, [model]);

  const env = fieldOf(source, 'environment');
  const url = fieldOf(source, 'baseUrl');
  const valueOf = (f: ConnectionFieldDescriptor | undefined) => (f ? (values[f.key] ?? (f.kind === 'choice' ? f.choices?.[0]?.value ?? '' : '')) : '');
  const set = (key: string, v: string) => setValues((x) => ({ ...x, [key]: v }));
  const custom = env ? valueOf(env) === 'custom' : true;
  // The contract's rule: only a public portal goes without a credential.
  const keyless = valueOf(fieldOf(source, 'portal')) === 'public';
  const method = keyless ? source.authMethods.find((m) => m.id === 'none') : methods.find((m) => m.id === methodId) ?? methods[0];
  const pastes = !keyless && (method?.id === 'api-key' || method?.id === 'token' || !method);

  const input = (): NewProfile => {
    const out: NewProfile = { name: name.trim() || 'My lab', source: source.id, apiKey: keyless ? '' : secret.trim() };
    for (const f of source.connectionFields) {
      const v = valueOf(f).trim();
      if (!v || (f.key === 'baseUrl' && !custom)) continue;
      if (f.key === 'environment') out.environment = v as NewProfile['environment'];
      else if (f.key === 'portal') out.portal = v as NewProfile['portal'];
      else out[f.key] = v;
    }
    return out;
  };
  /** Where a sign-in's profile goes: its name, source and server. */
  const signInTarget = () => {
    const { name: n, source: src, baseUrl } = input();
    return { name: n, source: src, ...(baseUrl ? { baseUrl } : {}) };
  };

  const begin = (kind: 'test' | 'save') => {
    setBusy(kind);
    setValidation(null);
    setCallError(null);
  };
  const done = (v: KeyValidation, save: boolean) => {
    setValidation(v);
    if (save && v.outcome === 'accepted') {
      setSecret('');
      setPassword('');
      model.ui.setState({ connectionsOpen: false });
    }
  };

  const run = async (kind: 'test' | 'save') => {
    begin(kind);
    try {
      if (method?.id === 'password-refresh' && !keyless) {
        setPassword('');
        done(await model.signInWithPassword({ ...signInTarget(), email: email.trim(), password }), true);
      } else {
        done(kind === 'test' ? await model.validateProfile(input()) : await model.addProfile(input()), kind === 'save');
      }
    } catch (e) {
      setCallError(toUiError(e));
    } finally {
      setBusy(null);
    }
  };

  const signInWithBrowser = async () => {
    begin('save');
    setPasteInstead(null);
    try {
      const started = await model.startDeviceSignIn(signInTarget());
      if (started.kind === 'paste-token') {
        setPasteInstead(started);
        setMethodId(methods.find((m) => m.id === 'token') ? 'token' : methodId);
        return;
      }
      flow.current = started.flowId;
      setDevice(started);
      const v = await model.finishDeviceSignIn(started.flowId);
      flow.current = null;
      done(v, true);
    } catch (e) {
      flow.current = null;
      const err = toUiError(e);
      if (err.code !== 'CANCELLED') setCallError(err);
    } finally {
      setDevice(null);
      setBusy(null);
    }
  };
  const cancelBrowser = () => {
    if (flow.current) void model.cancelDeviceSignIn(flow.current).catch(() => undefined);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (method?.id === 'device-flow' && !keyless) void signInWithBrowser();
    else void run('save');
  };
  const urlMissing = !!env && custom && !!url && !valueOf(url).trim();
  const credentialGiven = keyless
    || (method?.id === 'device-flow')
    || (method?.id === 'password-refresh' ? email.trim().length > 2 && password.length > 0 : secret.trim().length > 0);
  const canSubmit = credentialGiven && !urlMissing && !busy;
  const urlInput = url && custom && (
    <input
      className="input"
      aria-label={env ? `Custom ${url.label}` : url.label}
      value={valueOf(url)}
      onChange={(e) => set(url.key, e.target.value)}
      placeholder={url.hint?.match(/https?:\/\/[^\s);,]+/)?.[0] ?? 'https://…'}
      style={env ? { marginLeft: 22 } : undefined}
    />
  );

  return (
    <form onSubmit={onSubmit} style={{ display: 'flex', flexDirection: 'column', gap: 12 }} aria-label="Add a connection" data-source={source.id}>
      {sources.length > 1 && (
        <fieldset>
          <legend>Connect to</legend>
          <div className="segmented" role="radiogroup" aria-label="Source">
            {sources.map((d) => (
              <label key={d.id}><input type="radio" name="conn-source" value={d.id} checked={d.id === source.id} onChange={() => onSourceChange(d.id)} />{d.label}</label>
            ))}
          </div>
        </fieldset>
      )}
      <div className="two-col">
        <div className="field">
          <label htmlFor="conn-name">Name</label>
          <input id="conn-name" className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="My lab" />
        </div>
        {source.connectionFields.filter((f) => f.kind === 'text').map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`conn-${f.key}`}>{f.label} {f.optional && <span style={{ fontWeight: 400 }}>(optional)</span>}</label>
            <input id={`conn-${f.key}`} className="input" value={valueOf(f)} onChange={(e) => set(f.key, e.target.value)} placeholder={f.hint} />
          </div>
        ))}
      </div>
      {!env && url && (
        <div className="field">
          <span className="field-label">{url.label} {url.optional && <span style={{ fontWeight: 400 }}>(optional)</span>}</span>
          {urlInput}
          {url.hint && <span className="hint">{url.hint}</span>}
        </div>
      )}
      {source.connectionFields.filter((f) => f.kind === 'choice' && f.key !== 'environment').map((f) => (
        <ChoiceField key={f.key} field={f} value={valueOf(f)} onChange={(v) => set(f.key, v)} />
      ))}
      {keyless ? (
        <p className="explain" data-testid="no-credential">{method?.hint ?? 'No sign-in is needed.'}</p>
      ) : (
        <>
          {methods.length > 1 && (
            <fieldset>
              <legend>Sign in with</legend>
              <div className="segmented" role="radiogroup" aria-label="Sign in with">
                {methods.map((m) => (
                  <label key={m.id}><input type="radio" name="conn-method" value={m.id} checked={m.id === method?.id} onChange={() => { cancelBrowser(); setMethodId(m.id); setValidation(null); setCallError(null); }} />{m.label}</label>
                ))}
              </div>
              {method?.hint && method.id !== 'api-key' && method.id !== 'token' && <span className="hint">{method.hint}</span>}
            </fieldset>
          )}
          {pastes && (
            <div className="field">
              <label htmlFor="conn-key">{method?.label ?? 'Credential'}</label>
              <div className="key-input">
                <input
                  id="conn-key"
                  data-autofocus
                  className="input"
                  type={showSecret ? 'text' : 'password'}
                  autoComplete="off"
                  spellCheck={false}
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                  placeholder={method?.format && !/\s/.test(method.format.split(' ')[0]) && method.format.includes('…') ? method.format.split(' ')[0] : ''}
                />
                <button type="button" className="btn" aria-pressed={showSecret} onClick={() => setShowSecret((x) => !x)}>{showSecret ? 'Hide' : 'Show'}</button>
              </div>
              {method?.hint && <span className="hint">{method.hint}</span>}
              {pasteInstead && <span className="hint" role="note">{pasteInstead.message} <a href={pasteInstead.tokensPageUrl} target="_blank" rel="noopener noreferrer">Create a token</a></span>}
            </div>
          )}
          {method?.id === 'password-refresh' && (
            <div className="two-col">
              <div className="field">
                <label htmlFor="conn-email">Email</label>
                <input id="conn-email" className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="conn-password">Password</label>
                <input id="conn-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              </div>
            </div>
          )}
          {device && <DeviceCode start={device} sourceLabel={source.label} onCancel={cancelBrowser} />}
        </>
      )}
      {env && (
        <ChoiceField field={env} value={valueOf(env)} onChange={(v) => set(env.key, v)}>
          {urlInput}
        </ChoiceField>
      )}
      {validation && <ValidationResult v={validation} />}
      {callError && <div data-testid="key-validation" data-outcome="error"><ErrorBox error={callError} /></div>}
      <div className="row-gap">
        {method?.id === 'device-flow' && !keyless ? (
          <button type="submit" className="btn primary" disabled={!canSubmit} data-testid="sign-in-browser">{device ? 'Waiting for approval…' : busy ? 'Starting…' : 'Sign in with your browser'}</button>
        ) : method?.id === 'password-refresh' && !keyless ? (
          <button type="submit" className="btn primary" disabled={!canSubmit}>{busy ? 'Signing in…' : 'Sign in'}</button>
        ) : (
          <>
            <button type="submit" className="btn primary" disabled={!canSubmit}>{busy === 'save' ? 'Checking…' : 'Check and save'}</button>
            <button type="button" className="btn" disabled={!canSubmit} onClick={() => void run('test')}>{busy === 'test' ? 'Checking…' : 'Check only'}</button>
          </>
        )}
        {onCancel && <button type="button" className="btn ghost" onClick={() => { cancelBrowser(); onCancel(); }}>Cancel</button>}
      </div>
    </form>
  );
}

export function ConnectionsDialog() {
  const model = useModel();
  const profiles = useApp((s) => s.profiles);
  const sources = useApp((s) => s.sources);
  const active = useApp((s) => s.descriptor);
  const settings = useApp((s) => s.settings);
  const canChoose = useApp((s) => !!s.appInfo?.capabilities.chooseFolder);
  const firstRun = profiles.length === 0;
  const [adding, setAdding] = useState(firstRun);
  const [name, setName] = useState(firstRun ? 'My lab' : '');
  const choices = useMemo(() => (sources.length ? sources : active ? [active] : []), [sources, active]);
  const [sourceId, setSourceId] = useState(() => (firstRun ? choices[0]?.id : active?.id) ?? '');
  const source = choices.find((d) => d.id === sourceId) ?? choices[0];
  const close = profiles.some((p) => p.active) ? () => model.ui.setState({ connectionsOpen: false }) : undefined;
  const auth = source?.authMethods[0];

  return (
    <Dialog title={firstRun ? `Connect to ${source?.label ?? 'a source'}` : 'Connections'} onClose={close} testId="connections-dialog" wide>
      {firstRun && source && (
        <p style={{ margin: 0, color: 'var(--text-2)' }} data-testid="first-run-intro">
          {signInMethods(source).length > 1
            ? `Choose how to sign in to ${source.label}. What signs you in is checked with the server, then kept safely on this computer (never a password) and never shown again.`
            : `${auth?.hint ?? ''}${auth?.format ? ` It looks like ${auth.format}.` : ''} It is checked with one request and then stored safely on this computer; it is never shown again.`}
        </p>
      )}
      {profiles.length > 0 && (
        <section aria-label="Saved connections">
          <div className="field-label" style={{ marginBottom: 6 }}>Saved connections</div>
          <ul className="profile-list">{profiles.map((p) => <ProfileRow key={p.id} p={p} />)}</ul>
        </section>
      )}
      {!adding || !source ? (
        <div><button type="button" className="btn" onClick={() => setAdding(true)}>Add a connection…</button></div>
      ) : (
        <AddConnection
          key={source.id}
          source={source}
          sources={choices}
          name={name}
          setName={setName}
          onSourceChange={setSourceId}
          onCancel={firstRun ? undefined : () => setAdding(false)}
        />
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
