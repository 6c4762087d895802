// The one place that says the server cannot be used, and what to do:
//   - offline: what failed, when the app looks again (the core keeps looking), and Retry now;
//   - a key that is gone after a restart (kept in memory only): "Enter the key again" right here;
//   - a rejected key or a server that is not the source's API: Fix connection…;
//   - the link to the app's own server dropped (browser mode): reconnecting, then a way out.
// Views never repeat these messages: they wait and reload by themselves (ErrorBox: ViewError).
import { useEffect, useState, type FormEvent } from 'react';
import type { ProfileSummary } from '../../../src-shared/model';
import { NOT_THIS_API_STATE } from '../lib/contract-names';
import { toUiError } from '../lib/errors';
import { useApp, useModel } from '../model-context';
import { Words } from './ErrorBox';

const LOST_TOO_LONG_MS = 20_000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** "Enter the key again" for the active connection, in place: the same name, server and organization, a new key. */
function KeyAgain({ profile }: { profile: ProfileSummary }) {
  const model = useModel();
  const auth = useApp((s) => s.sources.find((d) => d.id === profile.source)?.authMethods.find((m) => m.id === 'api-key' || m.id === 'token'));
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const v = await model.reenterKey({
        name: profile.name,
        source: profile.source,
        environment: profile.environment,
        ...(profile.environment === 'custom' ? { baseUrl: profile.baseUrl } : {}),
        ...(profile.organizationId ? { organizationId: profile.organizationId } : {}),
        ...(profile.portal ? { portal: profile.portal } : {}),
        apiKey: key.trim(),
      });
      if (v.outcome !== 'accepted') setProblem(`${v.message}${v.fix ? ` ${v.fix}` : ''}`);
      else setKey('');
    } catch (err) {
      setProblem(toUiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  if (!open) return <button type="button" className="btn small primary" onClick={() => setOpen(true)} data-testid="enter-key-again">Enter the key again</button>;
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={`Enter the key for ${profile.name} again`}>
      <input
        className="input"
        type="password"
        autoComplete="off"
        spellCheck={false}
        aria-label={`${auth?.label ?? 'Credential'} for ${profile.name}`}
        placeholder={auth?.format?.split(' ')[0] ?? ''}
        value={key}
        autoFocus
        onChange={(e) => setKey(e.target.value)}
      />
      <button type="submit" className="btn small primary" disabled={!key.trim() || busy}>{busy ? 'Checking…' : 'Use this key'}</button>
      <button type="button" className="btn small ghost" onClick={() => setOpen(false)}>Cancel</button>
      {problem && <span className="fix" role="alert">{problem}</span>}
    </form>
  );
}

export function StatusBanner() {
  const model = useModel();
  const conn = useApp((s) => s.connection);
  const lost = useApp((s) => s.transportLost);
  const lostAt = useApp((s) => s.transportLostAt);
  const active = useApp((s) => s.profiles.find((p) => p.active));
  const [checking, setChecking] = useState(false);
  const offline = conn?.state === 'offline';
  const now = useNow(offline || lost);

  const retry = () => {
    setChecking(true);
    void model.refreshConnection().finally(() => setChecking(false));
  };

  if (lost) {
    const tooLong = lostAt !== null && now - lostAt > LOST_TOO_LONG_MS;
    return (
      <div className="banner err" role="alert" data-testid="banner" data-state="link-lost">
        <span className="msg">Lost the link to the Study Downloader server.</span>
        <span className="fix grow">
          {tooLong
            ? 'It has not come back. Downloads keep running in the server; check that it is still running, then reload this page.'
            : 'Reconnecting… Downloads keep running in the server.'}
        </span>
        {tooLong && <button type="button" className="btn small" onClick={() => location.reload()}>Reload the page</button>}
      </div>
    );
  }
  if (!conn || conn.state === 'online' || conn.state === 'checking') return null;
  // No profile at all: the Connections dialog opens by itself; nothing to say here.
  if (conn.state === 'no-profile' && !active) return null;

  if (conn.state === 'no-profile' && active) {
    return (
      <div className="banner warn" role="alert" data-testid="banner" data-state="no-key">
        <span className="msg">The key for “{active.name}” is not available.</span>
        <span className="fix grow">{active.keyStorage.persistent ? 'It is no longer in the keychain.' : 'It was kept in memory only, so it went when the app restarted.'}</span>
        <KeyAgain profile={active} />
      </div>
    );
  }

  const secondsLeft = conn.nextCheckAt ? Math.max(0, Math.ceil((Date.parse(conn.nextCheckAt) - now) / 1000)) : null;
  const tone = conn.state === 'forbidden' ? 'warn' : 'err';
  return (
    <div className={`banner ${tone}`} role="alert" data-testid="banner" data-state={conn.state}>
      <span className="msg"><Words text={conn.message} /></span>
      {conn.fix && <span className="fix"><Words text={conn.fix} /></span>}
      <span className="grow" />
      {offline && (
        <span className="fix nowrap" aria-live="off" data-testid="next-check">
          {checking ? 'Checking…' : secondsLeft === null ? '' : secondsLeft > 0 ? `Checking again in ${secondsLeft} s` : 'Checking…'}
        </span>
      )}
      <button type="button" className="btn small" onClick={retry} disabled={checking}>{checking ? 'Checking…' : 'Retry now'}</button>
      {(conn.state === 'unauthorized' || conn.state === NOT_THIS_API_STATE) && (
        <button type="button" className="btn small" onClick={() => model.ui.setState({ connectionsOpen: true })}>Fix connection…</button>
      )}
    </div>
  );
}
