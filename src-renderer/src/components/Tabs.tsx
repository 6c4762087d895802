// An ARIA tablist: arrows/Home/End move between tabs (automatic activation), panels are labelled
// by their tab. Tabs that do not fit move into a "More" menu at the end (the selected tab always
// stays in view), so narrow windows never hide a tab without saying so.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface TabItem {
  id: string;
  label: ReactNode;
  /** Plain text of the label, for the overflow menu's accessible names. */
  text: string;
  dim?: boolean;
  /** The tab cannot be read (e.g. the key lacks a scope): marked, still selectable to say why. */
  blocked?: boolean;
  title?: string;
}

const MORE_W = 86;

export function TabList(props: { label: string; tabs: TabItem[]; selected: string; onSelect: (id: string) => void; idPrefix: string }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const bar = useRef<HTMLDivElement>(null);
  const [visibleCount, setVisibleCount] = useState(props.tabs.length);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);

  // Measure every tab (hidden ones too) and keep as many as fit, the selected one always among them.
  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const measure = () => {
      const avail = el.clientWidth;
      const widths = props.tabs.map((t) => (refs.current[t.id]?.offsetWidth ?? 0) + 2);
      const total = widths.reduce((a, b) => a + b, 0);
      if (total <= avail) return setVisibleCount(props.tabs.length);
      let used = MORE_W;
      let n = 0;
      while (n < widths.length && used + widths[n] <= avail) used += widths[n++];
      setVisibleCount(Math.max(1, n));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [props.tabs]);

  useLayoutEffect(() => {
    if (!menuOpen) return;
    const onDoc = (e: MouseEvent) => { if (!menuRef.current?.contains(e.target as Node)) setMenuOpen(false); };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [menuOpen]);

  const selIndex = props.tabs.findIndex((t) => t.id === props.selected);
  const shown = new Set(props.tabs.slice(0, visibleCount).map((t) => t.id));
  if (selIndex >= visibleCount && visibleCount > 0) {
    // The selected tab takes the last visible place.
    shown.delete(props.tabs[visibleCount - 1].id);
    shown.add(props.selected);
  }
  const overflow = props.tabs.filter((t) => !shown.has(t.id));

  const select = (id: string) => {
    props.onSelect(id);
    requestAnimationFrame(() => refs.current[id]?.focus());
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = selIndex;
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    e.stopPropagation();
    select(props.tabs[next].id);
  };

  return (
    <div className="tabs-bar" ref={bar}>
      <div className="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
        {props.tabs.map((t) => {
          const selected = t.id === props.selected;
          const hidden = !shown.has(t.id);
          return (
            <button
              key={t.id}
              ref={(el) => { refs.current[t.id] = el; }}
              type="button"
              role="tab"
              id={`${props.idPrefix}-tab-${t.id}`}
              aria-selected={selected}
              aria-controls={`${props.idPrefix}-panel-${t.id}`}
              tabIndex={selected ? 0 : -1}
              className={`tab${t.dim ? ' dim' : ''}${t.blocked ? ' blocked' : ''}${hidden ? ' hidden-tab' : ''}`}
              title={t.title}
              data-tab={t.id}
              data-blocked={t.blocked ? '' : undefined}
              onClick={() => props.onSelect(t.id)}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      {overflow.length > 0 && (
        <div className="rel tabs-more" ref={menuRef}>
          <button
            type="button"
            className="btn small"
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            data-testid="tabs-more"
            onClick={() => setMenuOpen((x) => !x)}
          >
            {overflow.length} more ▾
          </button>
          {menuOpen && (
            <div
              className="menu tabs-menu"
              role="menu"
              aria-label="More data types"
              onKeyDown={(e) => {
                if (e.key === 'Escape') { e.stopPropagation(); setMenuOpen(false); }
              }}
            >
              {overflow.map((t, i) => (
                <button
                  key={t.id}
                  type="button"
                  role="menuitem"
                  autoFocus={i === 0}
                  title={t.title}
                  onClick={() => { setMenuOpen(false); select(t.id); }}
                >
                  {t.label}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}

export function TabPanel(props: { idPrefix: string; tabId: string; children: ReactNode }) {
  return (
    <div
      className="tabpanel"
      role="tabpanel"
      id={`${props.idPrefix}-panel-${props.tabId}`}
      aria-labelledby={`${props.idPrefix}-tab-${props.tabId}`}
    >
      {props.children}
    </div>
  );
}
