// One level of the hierarchy as a searchable, sortable grid, drawn from the level descriptor.
// A row that opens something opens on one click (or Enter); the sort and column widths are
// remembered per level. With a title it is a whole view (heading and tools in one row); without
// one it is a panel inside a page that has its own heading (a tab of several child levels).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ColumnDescriptor, LevelId } from '../../../src-shared/model';
import { StatusBadge } from '../components/Badge';
import { ViewError } from '../components/ErrorBox';
import { Grid, defaultWidth, type GridColumn, type GridRow } from '../components/Grid';
import { expandNestedColumns, formatLeaf, guessColumn } from '../lib/columns';
import { formatCount, plural } from '../lib/format';
import { nextSort, searchRows, sortRows, type SortState } from '../lib/local-table';
import { useApp, useModel } from '../model-context';
import { tableKey } from '../stores/table-views';
import { useStore } from 'zustand';

export interface LevelTableProps<T extends object> {
  level: LevelId;
  rows: T[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: ErrorInfo;
  warnings?: string[];
  onRetry: () => void;
  /** Opening a row; absent when this level's items open nothing (no chevron then). */
  onOpen?: (row: T) => void;
  /** What opening a row does, for its accessible name (e.g. "Open Emotion Study"). */
  openLabel?: (row: GridRow) => string;
  extraColumns?: GridColumn[];
  empty: ReactNode;
  onRangeChange?: (first: number, last: number, visibleRows: T[]) => void;
  defaultSort?: SortState | null;
  toolbarEnd?: ReactNode;
  /** The view's heading; absent for a panel inside a page that has its own. */
  title?: ReactNode;
  subtitle?: ReactNode;
  /** Taller rows, for cells that wrap (e.g. data badges). */
  rowHeight?: number;
}

/** Hierarchy lists are short and dense: narrower badges and times than data tables. */
function levelWidth(kind: ColumnDescriptor['kind']): number {
  return kind === 'badge' ? 104 : kind === 'datetime' ? 196 : defaultWidth(kind);
}

export function LevelTable<T extends object>(props: LevelTableProps<T>) {
  const model = useModel();
  const level = useApp((s) => s.descriptor?.levels.find((l) => l.id === props.level));
  const sourceId = useApp((s) => s.descriptor?.id ?? 'source');
  const sourceLabel = useApp((s) => s.descriptor?.label ?? 'the server');
  const key = tableKey(sourceId, 'level', props.level);
  const saved = useStore(model.tableViews, (s) => s[key]);
  const [query, setQuery] = useState('');
  const sort: SortState | null = saved?.sort !== undefined ? saved.sort : (props.defaultSort ?? null);
  const setSort = (next: SortState | null) => model.updateTableView(key, { sort: next });

  const descriptorColumns: ColumnDescriptor[] = useMemo(() => {
    if (level) return expandNestedColumns(level.columns.filter((c) => c.defaultVisible), props.rows as Array<Record<string, unknown>>);
    const sample = props.rows[0] as Record<string, unknown> | undefined;
    return sample ? Object.keys(sample).slice(0, 8).map((k) => ({ ...guessColumn(k, sample[k]), defaultVisible: true })) : [];
  }, [level, props.rows]);

  const widths = saved?.widths;
  // When an extra column takes the spare width (e.g. data badges), the others keep theirs.
  const extraGrows = (props.extraColumns ?? []).some((c) => c.grow);
  const columns: GridColumn[] = useMemo(() => [
    ...descriptorColumns.map((c): GridColumn => ({
      key: c.key,
      label: c.label,
      kind: c.kind,
      width: widths?.[c.key] ?? c.width ?? levelWidth(c.kind),
      ...(extraGrows ? { grow: false } : {}),
      ...(c.kind === 'badge' ? { render: (row: GridRow) => <StatusBadge value={row[c.key]} /> } : c.key.includes('.') ? { render: (row: GridRow) => formatLeaf(row, c.key, c.kind) } : {}),
    })),
    ...(props.extraColumns ?? []).map((c) => ({ ...c, width: widths?.[c.key] ?? c.width })),
  ], [descriptorColumns, props.extraColumns, widths, extraGrows]);

  const visible = useMemo(
    () => sortRows(searchRows(props.rows, query, descriptorColumns.map((c) => c.key).concat(['id', 'label', level?.labelField ?? 'label'])), sort),
    [props.rows, query, sort, descriptorColumns, level],
  );

  const { onRangeChange, onOpen } = props;
  const handleRange = useCallback((first: number, last: number) => onRangeChange?.(first, last, visible.slice(first, last + 1)), [onRangeChange, visible]);
  const getRow = useCallback((i: number) => visible[i] as GridRow | undefined, [visible]);
  const open = useCallback((i: number) => { if (visible[i]) onOpen?.(visible[i]); }, [visible, onOpen]);
  const onResize = useCallback((col: string, w: number) => model.updateTableView(key, { widths: { ...model.tableViews.getState()[key]?.widths, [col]: w } }), [model, key]);
  const label = level?.label ?? props.level;
  const singular = level?.singular ?? 'row';
  const n = props.rows.length;

  return (
    <div className={props.title !== undefined ? 'view' : 'tabpanel'} data-testid={`view-${props.level}`}>
      <div className={props.title !== undefined ? 'view-head' : 'toolbar'}>
        {props.title !== undefined && <h1 className="view-title" tabIndex={-1}>{props.title}</h1>}
        {props.subtitle && <span className="view-sub">{props.subtitle}</span>}
        <div className="grow" style={{ flex: 1 }} />
        <input
          className="input search"
          type="search"
          placeholder={`Search ${label.toLowerCase()}…`}
          aria-label={`Search ${label.toLowerCase()}`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="view-sub" data-testid="row-count" aria-live="polite">
          {props.status === 'ready' ? (query ? `${formatCount(visible.length)} of ${plural(n, singular, label.toLowerCase())}` : plural(n, singular, label.toLowerCase())) : ''}
        </span>
        <button type="button" className="btn" onClick={props.onRetry} title={`Reload from ${sourceLabel}`}>Refresh</button>
        {props.toolbarEnd}
      </div>
      {props.warnings && props.warnings.length > 0 && (
        <div className="warn-box" role="status">{props.warnings.map((w, i) => <div key={i}>{w}</div>)}</div>
      )}
      {props.status === 'error' && props.error ? (
        <ViewError error={props.error} onRetry={props.onRetry} what={`The ${label.toLowerCase()}`} />
      ) : (
        <Grid
          label={label}
          testId={`grid-${props.level}`}
          columns={columns}
          rowCount={visible.length}
          getRow={getRow}
          onRangeChange={handleRange}
          sort={sort}
          onSort={(k) => setSort(nextSort(sort, k))}
          onOpen={onOpen ? open : undefined}
          openLabel={props.openLabel}
          onResize={onResize}
          rowHeight={props.rowHeight}
          loading={props.status === 'loading' || props.status === 'idle'}
          empty={query && props.rows.length > 0 ? (
            <div className="empty" role="status"><h2>Nothing matches “{query}”</h2><p>Search looks in every visible column. Clear the search to see all {formatCount(props.rows.length)}.</p></div>
          ) : props.empty}
          footer={<span>{onOpen ? 'Click a row or press Enter to open it · ' : ''}↑↓ move · Backspace goes up · Alt+← / Alt+→ back and forward</span>}
        />
      )}
    </div>
  );
}
