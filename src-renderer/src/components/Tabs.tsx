// An ARIA tablist: arrows/Home/End move between tabs (automatic activation), panels are labelled by their tab.
import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabItem { id: string; label: ReactNode; dim?: boolean; title?: string }

export function TabList(props: { label: string; tabs: TabItem[]; selected: string; onSelect: (id: string) => void; idPrefix: string }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (e: KeyboardEvent) => {
    const i = props.tabs.findIndex((t) => t.id === props.selected);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    e.stopPropagation();
    const id = props.tabs[next].id;
    props.onSelect(id);
    refs.current[id]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
      {props.tabs.map((t) => {
        const selected = t.id === props.selected;
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
            className={`tab${t.dim ? ' dim' : ''}`}
            title={t.title}
            data-tab={t.id}
            onClick={() => props.onSelect(t.id)}
          >
            {t.label}
          </button>
        );
      })}
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
