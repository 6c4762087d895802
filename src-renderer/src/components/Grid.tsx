// A virtualized, keyboard-driven data grid (role="grid") with fixed row heights.
// Rows come from `getRow(i)`; a missing row renders as a skeleton until its page arrives.
// The grid never holds all rows: the pager behind `getRow` fetches the visible window.
import { memo, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ColumnKind } from '../../../src-shared/model';
import { formatCell, readField } from '../lib/cells';
import type { SortState } from '../lib/local-table';

export const ROW_H = 30;
const RAW_H = 220;

export type GridRow = Record<string, unknown>;

export interface GridColumn {
  key: string;
  label: string;
  kind: ColumnKind;
  width: number;
  sortable?: boolean;
  filterable?: boolean;
  render?: (row: GridRow, index: number) => ReactNode;
}

export interface GridProps {
  label: string;
  columns: GridColumn[];
  rowCount: number;
  getRow: (index: number) => GridRow | undefined;
  /** Changes whenever rows behind getRow change (e.g. a page landed). */
  version?: number;
  onRangeChange?: (first: number, last: number) => void;
  sort?: SortState | null;
  onSort?: (key: string) => void;
  showFilters?: boolean;
  filters?: Record<string, string>;
  onFilterChange?: (key: string, value: string) => void;
  onOpen?: (index: number) => void;
  openLabel?: string;
  rawJson?: boolean;
  /** Skeleton rows while the first page loads. */
  loading?: boolean;
  empty?: ReactNode;
  footer?: ReactNode;
  testId?: string;
  /** Auto-focus the grid (after navigation), so arrows work at once. */
  autoFocus?: boolean;
}

export function defaultWidth(kind: ColumnKind): number {
  switch (kind) {
    case 'datetime': return 168;
    case 'number': case 'bytes': case 'duration-ms': return 104;
    case 'badge': return 110;
    case 'json': return 260;
    default: return 170;
  }
}

const alignRight = (kind: ColumnKind) => kind === 'number' || kind === 'bytes' || kind === 'duration-ms';

interface RowProps {
  index: number;
  row: GridRow | undefined;
  columns: GridColumn[];
  start: number;
  active: boolean;
  expanded: boolean;
  rawJson: boolean;
  clickable: boolean;
  rowId: string;
  onClickRow: (index: number) => void;
  onDoubleClickRow: (index: number) => void;
  onToggle: (index: number) => void;
}

const GridRowView = memo(function GridRowView(p: RowProps) {
  const style = { transform: `translateY(${p.start}px)`, height: p.expanded ? ROW_H + RAW_H : ROW_H };
  return (
    <div
      role="row"
      id={p.rowId}
      aria-rowindex={p.index + 2}
      aria-selected={p.active}
      aria-expanded={p.rawJson ? p.expanded : undefined}
      className={`grid-row${p.clickable ? ' clickable' : ''}`}
      style={style}
      onClick={() => p.onClickRow(p.index)}
      onDoubleClick={() => p.onDoubleClickRow(p.index)}
      data-row-index={p.index}
      data-loaded={p.row ? '' : undefined}
    >
      {p.rawJson && (
        <div role="gridcell" className="grid-cell expander" style={{ height: ROW_H }}>
          {p.row && (
            <button
              type="button"
              className="expand-btn"
              tabIndex={-1}
              aria-label={p.expanded ? 'Hide raw JSON' : 'Show raw JSON'}
              onClick={(e) => { e.stopPropagation(); p.onToggle(p.index); }}
            >
              {p.expanded ? '▾' : '▸'}
            </button>
          )}
        </div>
      )}
      {p.columns.map((c) => (
        <div
          key={c.key}
          role="gridcell"
          className={`grid-cell${alignRight(c.kind) ? ' num' : ''}`}
          style={{ width: c.width }}
          title={p.row && !c.render ? cellTitle(p.row, c) : undefined}
        >
          {p.row ? (
            c.render ? c.render(p.row, p.index) : formatCell(readField(p.row, c.key), c.kind)
          ) : (
            <span className="skeleton" style={{ width: `${45 + ((p.index * 7 + c.key.length * 13) % 45)}%` }} />
          )}
        </div>
      ))}
      {p.expanded && p.row && (
        <div role="gridcell" className="raw-json" style={{ top: ROW_H, height: RAW_H }} aria-label="Raw JSON">
          <pre>{JSON.stringify(p.row.__raw ?? stripInternal(p.row), null, 2)}</pre>
        </div>
      )}
    </div>
  );
});

function cellTitle(row: GridRow, c: GridColumn): string | undefined {
  const v = readField(row, c.key);
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 24 ? s.slice(0, 500) : undefined;
}

function stripInternal(row: GridRow): GridRow {
  const out: GridRow = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('__')) out[k] = v;
  return out;
}

/**
 * Rows are keyed by slot (index modulo the window length) and rendered in slot order, so while
 * scrolling React rewrites the text of the rows that left the window instead of unmounting and
 * mounting new ones, and no DOM nodes move; positions come from the transform, order from aria-rowindex.
 */
function bySlot<T extends { index: number }>(items: T[]): T[] {
  const n = items.length;
  return [...items].sort((a, b) => (a.index % n) - (b.index % n));
}

export function Grid(props: GridProps) {
  const {
    label, columns, rowCount, getRow, onRangeChange, sort, onSort, showFilters, filters, onFilterChange,
    onOpen, rawJson = false, loading, empty, footer, testId, autoFocus,
  } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const [expanded, setExpanded] = useState<number | null>(null);
  const baseId = useId();
  const showSkeleton = loading && rowCount === 0;
  const count = showSkeleton ? 12 : rowCount;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (i === expanded ? ROW_H + RAW_H : ROW_H),
    overscan: 6,
    scrollPaddingStart: ROW_H + (showFilters ? 32 : 0),
  });

  useLayoutEffect(() => { virtualizer.measure(); }, [expanded, virtualizer]);
  useEffect(() => { if (autoFocus) scrollRef.current?.focus({ preventScroll: true }); }, [autoFocus]);
  useEffect(() => { if (active >= rowCount && rowCount > 0) setActive(rowCount - 1); }, [rowCount, active]);

  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : 0;
  useEffect(() => {
    if (!showSkeleton && rowCount > 0) onRangeChange?.(first, last);
  }, [first, last, rowCount, showSkeleton, onRangeChange]);

  const move = useCallback((to: number) => {
    if (rowCount === 0) return;
    const i = Math.max(0, Math.min(rowCount - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  }, [rowCount, virtualizer]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_H) - 2);
    switch (e.key) {
      case 'ArrowDown': e.preventDefault(); move(active + 1); break;
      case 'ArrowUp': e.preventDefault(); move(active - 1); break;
      case 'PageDown': e.preventDefault(); move(active + page); break;
      case 'PageUp': e.preventDefault(); move(active - page); break;
      case 'Home': if (e.ctrlKey || e.metaKey || !e.shiftKey) { e.preventDefault(); move(0); } break;
      case 'End': e.preventDefault(); move(rowCount - 1); break;
      case 'Enter':
        if (onOpen && rowCount > 0) { e.preventDefault(); onOpen(active); }
        else if (rawJson && rowCount > 0) { e.preventDefault(); setExpanded((x) => (x === active ? null : active)); }
        break;
      case 'ArrowRight': if (rawJson && rowCount > 0) { e.preventDefault(); setExpanded(active); } break;
      case 'ArrowLeft': if (rawJson && expanded !== null) { e.preventDefault(); setExpanded(null); } break;
      default:
    }
  };

  const onClickRow = useCallback((i: number) => {
    setActive(i);
    scrollRef.current?.focus({ preventScroll: true });
    if (!onOpen && rawJson) setExpanded((x) => (x === i ? null : i));
  }, [onOpen, rawJson]);
  const onDoubleClickRow = useCallback((i: number) => onOpen?.(i), [onOpen]);
  const onToggle = useCallback((i: number) => setExpanded((x) => (x === i ? null : i)), []);

  const totalWidth = columns.reduce((n, c) => n + c.width, 0) + (rawJson ? 30 : 0);
  const rowId = (i: number) => `${baseId}-r${i}`;

  return (
    <div className="grid-wrap" data-testid={testId}>
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={rowCount + 1}
        aria-colcount={columns.length + (rawJson ? 1 : 0)}
        aria-activedescendant={rowCount > 0 ? rowId(active) : undefined}
        aria-busy={loading || undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="grid" style={{ width: totalWidth }}>
          <div className="grid-head" role="rowgroup">
            <div className="grid-row" role="row" aria-rowindex={1}>
              {rawJson && <div role="columnheader" className="grid-cell expander" aria-label="Raw JSON" />}
              {columns.map((c) => {
                const dir = sort && sort.key === c.key ? sort.dir : null;
                return (
                  <div
                    key={c.key}
                    role="columnheader"
                    className={`grid-cell${alignRight(c.kind) ? ' num' : ''}`}
                    style={{ width: c.width }}
                    aria-sort={c.sortable !== false && onSort ? (dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none') : undefined}
                  >
                    {c.sortable !== false && onSort ? (
                      <button type="button" className="sort-btn" onClick={() => onSort(c.key)} title={`Sort by ${c.label}`}>
                        <span className="text">{c.label}</span>
                        <span className={`arrow${dir ? ' on' : ''}`} aria-hidden="true">{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}</span>
                      </button>
                    ) : (
                      <span className="text">{c.label}</span>
                    )}
                  </div>
                );
              })}
            </div>
            {showFilters && (
              <div className="filter-row" role="row">
                {rawJson && <div role="gridcell" className="grid-cell expander" />}
                {columns.map((c) => (
                  <div key={c.key} role="gridcell" className="grid-cell" style={{ width: c.width }}>
                    {c.filterable !== false && onFilterChange ? (
                      <input
                        className="input"
                        aria-label={`Filter ${c.label}`}
                        placeholder="Filter…"
                        value={filters?.[c.key] ?? ''}
                        onChange={(e) => onFilterChange(c.key, e.target.value)}
                      />
                    ) : null}
                  </div>
                ))}
              </div>
            )}
          </div>
          <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {bySlot(items).map((vi) => (
              <GridRowView
                key={vi.index % items.length}
                index={vi.index}
                row={showSkeleton ? undefined : getRow(vi.index)}
                columns={columns}
                start={vi.start}
                active={!showSkeleton && vi.index === active}
                expanded={!showSkeleton && vi.index === expanded}
                rawJson={rawJson}
                clickable={!!onOpen || rawJson}
                rowId={rowId(vi.index)}
                onClickRow={onClickRow}
                onDoubleClickRow={onDoubleClickRow}
                onToggle={onToggle}
              />
            ))}
          </div>
        </div>
      </div>
      {!loading && rowCount === 0 && empty && <div className="grid-empty">{empty}</div>}
      {footer && <div className="grid-foot">{footer}</div>}
    </div>
  );
}
