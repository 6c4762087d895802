// A virtualized, keyboard-driven data grid (role="grid") with fixed row heights.
// Rows come from `getRow(i)`; a missing row renders as a skeleton until its page arrives.
// The grid never holds all rows: the pager behind `getRow` fetches the visible window.
// Rows that open something open on one click (or Enter) and show a chevron; columns resize by
// dragging (or arrow keys on) the edge of their header; one column takes the spare width.
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ColumnKind } from '../../../src-shared/model';
import { compileFilter, describeFilter } from '../../../src-shared/table-filter';
import { formatCell, readField } from '../lib/cells';
import type { SortState } from '../lib/local-table';

export const ROW_H = 30;
const RAW_H = 220;
const CHEVRON_W = 28;
const MIN_COL_W = 48;

export type GridRow = Record<string, unknown>;

export interface GridColumn {
  key: string;
  label: string;
  kind: ColumnKind;
  width: number;
  sortable?: boolean;
  filterable?: boolean;
  resizable?: boolean;
  /** Text wraps onto more lines (rows must be tall enough: rowHeight). */
  wrap?: boolean;
  /** Shares the spare width of the table (default: every resizable column does, so no space stays empty while cells are cut). */
  grow?: boolean;
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
  /** A row opens something (the next level): one click or Enter. */
  onOpen?: (index: number) => void;
  /** Accessible name of a row's open action, e.g. (row) => "Open Emotion Study". */
  openLabel?: (row: GridRow) => string;
  /** A column was resized (px). */
  onResize?: (key: string, width: number) => void;
  /** Rows open their original record (`__raw`, which every preview row carries: PreviewPage) as JSON. */
  rawJson?: boolean;
  /** Row height in px (taller rows let wrapping cells show two lines). */
  rowHeight?: number;
  /** Skeleton rows while the first page loads. */
  loading?: boolean;
  empty?: ReactNode;
  footer?: ReactNode;
  testId?: string;
  /** Auto-focus the grid on mount, so arrows work at once. */
  autoFocus?: boolean;
}

export function defaultWidth(kind: ColumnKind): number {
  switch (kind) {
    case 'datetime': return 220;
    case 'number': case 'bytes': case 'duration-ms': return 104;
    case 'badge': return 150;
    case 'json': return 260;
    default: return 170;
  }
}

const alignRight = (kind: ColumnKind) => kind === 'number' || kind === 'bytes' || kind === 'duration-ms';

/** Shown beside a filter box: how a number or time filter was understood. */
const FILTER_HINT: Partial<Record<ColumnKind, string>> = {
  number: 'e.g. >100000, 10..20',
  'duration-ms': 'e.g. >1:30, 0:10..0:20',
  bytes: 'e.g. >1.5 MB',
  datetime: 'e.g. >2026-11-30 14:00',
};

interface RowProps {
  index: number;
  row: GridRow | undefined;
  columns: GridColumn[];
  widths: Record<string, number>;
  grows: Set<string>;
  start: number;
  height: number;
  active: boolean;
  expanded: boolean;
  rawJson: boolean;
  opens: boolean;
  openLabel?: string;
  rowId: string;
  onClickRow: (index: number) => void;
  onToggle: (index: number) => void;
}

export function cellFlex(width: number, grow: boolean): React.CSSProperties {
  return { flex: `${grow ? 1 : 0} 0 ${width}px`, width, maxWidth: grow ? undefined : width };
}

const GridRowView = memo(function GridRowView(p: RowProps) {
  const style = { transform: `translateY(${p.start}px)`, height: p.expanded ? p.height + RAW_H : p.height };
  return (
    <div
      role="row"
      id={p.rowId}
      aria-rowindex={p.index + 2}
      aria-selected={p.active}
      aria-expanded={p.rawJson ? p.expanded : undefined}
      aria-label={p.opens && p.openLabel ? p.openLabel : undefined}
      className={`grid-row${p.opens || p.rawJson ? ' clickable' : ''}`}
      style={style}
      onClick={() => p.onClickRow(p.index)}
      data-row-index={p.index}
      data-loaded={p.row ? '' : undefined}
    >
      {p.rawJson && (
        <div role="gridcell" className="grid-cell expander" style={{ height: p.height }}>
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
          className={`grid-cell${alignRight(c.kind) ? ' num' : ''}${c.wrap ? ' wrap' : ''}`}
          style={{ ...cellFlex(p.widths[c.key] ?? c.width, p.grows.has(c.key)), height: p.height }}
          title={p.row && !c.render ? cellTitle(p.row, c) : undefined}
        >
          {p.row ? (
            c.render ? c.render(p.row, p.index) : formatCell(readField(p.row, c.key), c.kind)
          ) : (
            <span className="skeleton" style={{ width: `${45 + ((p.index * 7 + c.key.length * 13) % 45)}%` }} />
          )}
        </div>
      ))}
      {p.opens && <div role="gridcell" className="grid-cell chevron" aria-hidden="true" style={{ flex: `0 0 ${CHEVRON_W}px`, height: p.height }}>›</div>}
      {p.expanded && p.row && (
        <div role="gridcell" className="raw-json" style={{ top: p.height, height: RAW_H }} aria-label="Raw JSON">
          <pre>{JSON.stringify(p.row.__raw, null, 2)}</pre>
        </div>
      )}
    </div>
  );
});

function cellTitle(row: GridRow, c: GridColumn): string | undefined {
  const v = readField(row, c.key);
  if (v === null || v === undefined) return undefined;
  const s = c.kind === 'datetime' ? formatCell(v, c.kind) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > 16 ? s.slice(0, 500) : undefined;
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

/** The edge of a header cell: drag it (or use ←/→ on it) to resize the column. */
function ResizeHandle({ label, width, onLive, onDone }: { label: string; width: number; onLive: (w: number) => void; onDone: (w: number) => void }) {
  const drag = useRef<{ x: number; w: number; last: number } | null>(null);
  const clamp = (w: number) => Math.max(MIN_COL_W, Math.min(2000, Math.round(w)));
  return (
    <span
      className="col-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${label}`}
      aria-valuenow={width}
      aria-valuemin={MIN_COL_W}
      tabIndex={0}
      onClick={(e) => e.stopPropagation()}
      onPointerDown={(e: PointerEvent<HTMLSpanElement>) => {
        e.preventDefault();
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, w: width, last: width };
      }}
      onPointerMove={(e) => {
        if (!drag.current) return;
        drag.current.last = clamp(drag.current.w + e.clientX - drag.current.x);
        onLive(drag.current.last);
      }}
      onPointerUp={() => {
        if (drag.current) onDone(drag.current.last);
        drag.current = null;
      }}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 40 : 10;
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          e.stopPropagation();
          onDone(clamp(width + (e.key === 'ArrowRight' ? step : -step)));
        }
      }}
    />
  );
}

export function Grid(props: GridProps) {
  const {
    label, columns, rowCount, getRow, onRangeChange, sort, onSort, showFilters, filters, onFilterChange,
    onOpen, openLabel, onResize, rawJson = false, loading, empty, footer, testId, autoFocus,
  } = props;
  const rowH = props.rowHeight ?? ROW_H;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const [expanded, setExpanded] = useState<number | null>(null);
  const [live, setLive] = useState<Record<string, number>>({});
  const baseId = useId();
  const showSkeleton = loading && rowCount === 0;
  const count = showSkeleton ? 12 : rowCount;
  const widths = useMemo(() => Object.fromEntries(columns.map((c) => [c.key, live[c.key] ?? c.width])), [columns, live]);
  const grows = useMemo(() => new Set(columns.filter((c) => c.grow ?? c.resizable !== false).map((c) => c.key)), [columns]);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (i === expanded ? rowH + RAW_H : rowH),
    overscan: 6,
    scrollPaddingStart: rowH + (showFilters ? 32 : 0),
  });

  useLayoutEffect(() => { virtualizer.measure(); }, [expanded, rowH, virtualizer]);
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
    // Keys on a control inside the grid (a filter box, a row's button, a resize handle) are theirs.
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / rowH) - 2);
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
    if (onOpen) {
      onOpen(i);
      return;
    }
    scrollRef.current?.focus({ preventScroll: true });
    if (rawJson) setExpanded((x) => (x === i ? null : i));
  }, [onOpen, rawJson]);
  const onToggle = useCallback((i: number) => setExpanded((x) => (x === i ? null : i)), []);

  const totalWidth = columns.reduce((n, c) => n + widths[c.key], 0) + (rawJson ? 30 : 0) + (onOpen ? CHEVRON_W : 0);
  const rowId = (i: number) => `${baseId}-r${i}`;
  const finishResize = (key: string, w: number) => {
    setLive((l) => ({ ...l, [key]: w }));
    onResize?.(key, w);
  };

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
        style={{ '--row-h': `${rowH}px` } as React.CSSProperties}
      >
        <div className="grid" style={{ minWidth: totalWidth }}>
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
                    style={cellFlex(widths[c.key], grows.has(c.key))}
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
                    {c.resizable !== false && onResize && (
                      <ResizeHandle label={c.label} width={widths[c.key]} onLive={(w) => setLive((l) => ({ ...l, [c.key]: w }))} onDone={(w) => finishResize(c.key, w)} />
                    )}
                  </div>
                );
              })}
              {onOpen && <div role="columnheader" className="grid-cell chevron" aria-label="Open" style={{ flex: `0 0 ${CHEVRON_W}px` }} />}
            </div>
            {showFilters && (
              <div className="filter-row" role="row">
                {rawJson && <div role="gridcell" className="grid-cell expander" />}
                {columns.map((c) => (
                  <div key={c.key} role="gridcell" className="grid-cell" style={cellFlex(widths[c.key], grows.has(c.key))}>
                    {c.filterable !== false && onFilterChange ? (
                      <FilterBox column={c} value={filters?.[c.key] ?? ''} onChange={(v) => onFilterChange(c.key, v)} />
                    ) : null}
                  </div>
                ))}
                {onOpen && <div role="gridcell" className="grid-cell chevron" style={{ flex: `0 0 ${CHEVRON_W}px` }} />}
              </div>
            )}
          </div>
          <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {bySlot(items).map((vi) => {
              const row = showSkeleton ? undefined : getRow(vi.index);
              return (
                <GridRowView
                  key={vi.index % items.length}
                  index={vi.index}
                  row={row}
                  columns={columns}
                  widths={widths}
                  grows={grows}
                  start={vi.start}
                  height={rowH}
                  active={!showSkeleton && vi.index === active}
                  expanded={!showSkeleton && vi.index === expanded}
                  rawJson={rawJson}
                  opens={!!onOpen}
                  openLabel={row && openLabel ? openLabel(row) : undefined}
                  rowId={rowId(vi.index)}
                  onClickRow={onClickRow}
                  onToggle={onToggle}
                />
              );
            })}
          </div>
        </div>
      </div>
      {!loading && rowCount === 0 && empty && <div className="grid-empty">{empty}</div>}
      {footer && <div className="grid-foot">{footer}</div>}
    </div>
  );
}

/** One column's filter box, saying how a number or time filter was understood. */
function FilterBox({ column, value, onChange }: { column: GridColumn; value: string; onChange: (v: string) => void }) {
  const understood = useMemo(() => describeFilter(compileFilter(value, column.kind), column.kind), [value, column.kind]);
  const hint = FILTER_HINT[column.kind];
  return (
    <input
      className="input"
      aria-label={`Filter ${column.label}`}
      aria-description={understood ? `Shows rows ${understood}` : hint}
      placeholder={hint ? `Filter… ${hint}` : 'Filter…'}
      title={understood ? `Shows rows ${understood}` : hint ?? 'Rows whose text contains this'}
      data-understood={understood || undefined}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
