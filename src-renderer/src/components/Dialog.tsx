// A modal dialog: role="dialog", aria-modal, focus trapped inside, Escape closes, focus restored after.
import { useEffect, useId, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function useFocusTrap(ref: React.RefObject<HTMLElement | null>, onEscape?: () => void) {
  // The latest handler, without re-running the effect (which would steal focus back on every render).
  const escRef = useRef(onEscape);
  escRef.current = onEscape;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const previously = document.activeElement as HTMLElement | null;
    const firstField = el.querySelector<HTMLElement>('[data-autofocus]') ?? el.querySelector<HTMLElement>(FOCUSABLE);
    (firstField ?? el).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && escRef.current) {
        e.stopPropagation();
        e.preventDefault();
        escRef.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null || x === document.activeElement);
      if (items.length === 0) { e.preventDefault(); return; }
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || !el.contains(document.activeElement))) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (document.activeElement === last || !el.contains(document.activeElement))) { e.preventDefault(); first.focus(); }
    };
    el.addEventListener('keydown', onKey);
    return () => {
      el.removeEventListener('keydown', onKey);
      if (previously && document.contains(previously)) previously.focus({ preventScroll: true });
    };
  }, [ref]);
}

export function Dialog(props: {
  title: ReactNode;
  onClose?: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  testId?: string;
  describedBy?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useFocusTrap(ref, props.onClose);
  return (
    <div className="backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) props.onClose?.(); }}>
      <div
        ref={ref}
        className={`dialog${props.wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={props.describedBy}
        tabIndex={-1}
        data-testid={props.testId}
      >
        <div className="dialog-head">
          <h2 id={titleId}>{props.title}</h2>
          {props.onClose && (
            <button type="button" className="btn ghost icon" aria-label="Close" onClick={props.onClose}>✕</button>
          )}
        </div>
        <div className="dialog-body">{props.children}</div>
        {props.footer && <div className="dialog-foot">{props.footer}</div>}
      </div>
    </div>
  );
}
