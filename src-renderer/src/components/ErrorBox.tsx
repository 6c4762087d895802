// An error in plain words with what to do about it; names missing scopes.
// While the server cannot be reached (or the key is not usable), views do not repeat the status
// banner's message: they wait quietly and load again by themselves (ViewError).
import type { ErrorInfo } from '../../../src-shared/errors';
import { missingScopes } from '../lib/errors';
import { lowerFirst } from '../lib/levels';
import { useApp, useAppIfAny } from '../model-context';
import { CONNECTION_CODES } from '../stores/app-model';

/** Renders `backticked` words as code, as the core writes scope names and commands. */
export function Words({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

export function ErrorBox({ error, onRetry, compact }: { error: ErrorInfo; onRetry?: () => void; compact?: boolean }) {
  // Name the missing scopes, unless the core's own words already do.
  const scopes = missingScopes(error).filter((s) => !`${error.message} ${error.fix ?? ''}`.includes(s));
  const auth = useAppIfAny((s) => s.descriptor?.authMethods[0]);
  const credential = lowerFirst(auth?.label ?? 'key');
  return (
    <div className="error-box" role="alert" data-error-code={error.code} style={compact ? { padding: '6px 10px' } : undefined}>
      <div className="msg"><Words text={error.message} /></div>
      {scopes.length > 0 && (
        <div className="fix">
          This {credential} lacks {scopes.map((s, i) => <span key={s}>{i > 0 ? ', ' : ''}<code>{s}</code></span>)}; create a {credential} with {scopes.length === 1 ? 'that scope' : 'those scopes'}.{auth?.hint ? ` ${auth.hint}` : ''}
        </div>
      )}
      {error.fix && <div className="fix"><Words text={error.fix} /></div>}
      {onRetry && (
        <div style={{ marginTop: 8 }}>
          <button type="button" className="btn small" onClick={onRetry}>Try again</button>
        </div>
      )}
    </div>
  );
}

/**
 * A view's error: while the connection itself is the problem (the banner at the top says so, with
 * Retry), a calm "waiting" note instead of the same message again; the view reloads by itself
 * once the server answers. Any other error is shown with its fix and a Try again.
 */
export function ViewError({ error, onRetry, what }: { error: ErrorInfo; onRetry?: () => void; what?: string }) {
  const conn = useApp((s) => s.connection?.state);
  const source = useApp((s) => s.descriptor?.label ?? 'the server');
  const lost = useApp((s) => s.transportLost);
  if ((CONNECTION_CODES.has(error.code) && conn !== 'online') || (lost && error.code === 'UNREACHABLE')) {
    return (
      <div className="conn-wait" role="status" data-testid="connection-wait" data-error-code={error.code}>
        <span className="spin" aria-hidden="true" />
        {what ? `${what} will load` : 'This loads'} again by itself once {source} can be reached; see the message at the top.
      </div>
    );
  }
  return <ErrorBox error={error} onRetry={onRetry} />;
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="empty" role="status">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
