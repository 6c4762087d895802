// An error in plain words with what to do about it; names missing scopes.
import type { ErrorInfo } from '../../../src-shared/errors';
import { missingScopes } from '../lib/errors';

/** Renders `backticked` words as code, as the core writes scope names and commands. */
function Words({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

export function ErrorBox({ error, onRetry, compact }: { error: ErrorInfo; onRetry?: () => void; compact?: boolean }) {
  // Name the missing scopes, unless the core's own words already do.
  const scopes = missingScopes(error).filter((s) => !`${error.message} ${error.fix ?? ''}`.includes(s));
  return (
    <div className="error-box" role="alert" data-error-code={error.code} style={compact ? { padding: '6px 10px' } : undefined}>
      <div className="msg"><Words text={error.message} /></div>
      {scopes.length > 0 && (
        <div className="fix">
          This key lacks {scopes.map((s, i) => <span key={s}>{i > 0 ? ', ' : ''}<code>{s}</code></span>)}; create a key with {scopes.length === 1 ? 'that scope' : 'those scopes'} in HyperStudy → Settings → API keys.
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

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="empty" role="status">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
