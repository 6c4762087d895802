// One level of the hierarchy as a searchable, sortable grid, drawn from the level descriptor.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ColumnDescriptor, LevelId } from '../../../src-shared/model';
import { StatusBadge } from '../components/Badge';
import { ErrorBox } from '../components/ErrorBox';
import { Grid, type GridColumn, type GridRow } from '../components/Grid';
import { guessColumn } from '../lib/columns';
import { formatCount } from '../lib/format';
import { nextSort, searchRows, sortRows, type SortState } from '../lib/local-table';
import { useApp } from '../model-context';

export interface LevelTableProps<T extends object> {
  level: LevelId;
  rows: T[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: ErrorInfo;
  warnings?: string[];
  onRetry: () => void;
  onOpen: (row: T) => void;
  extraColumns?: GridColumn[];
  empty: ReactNode;
  onRangeChange?: (first: number, last: number, visibleRows: T[]) => void;
  defaultSort?: SortState | null;
  toolbarEnd?: ReactNode;
  title: ReactNode;
  subtitle?: ReactNode;
}

export function LevelTable<T extends object>(props: LevelTableProps<T>) {
  const level = useApp((s) => s.descriptor?.levels.find((l) => l.id === props.level));
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState | null>(props.defaultSort ?? null);

  const descriptorColumns: ColumnDescriptor[] = useMemo(() => {
    if (level) return level.columns.filter((c) => c.defaultVisible);
    const sample = props.rows[0] as Record<string, unknown> | undefined;
    return sample ? Object.keys(sample).slice(0, 8).map((k) => ({ ...guessColumn(k, sample[k]), defaultVisible: true })) : [];
  }, [level, props.rows]);

  const columns: GridColumn[] = useMemo(() => [
    ...descriptorColumns.map((c): GridColumn => ({
      key: c.key,
      label: c.label,
      kind: c.kind,
      width: c.width ?? (c.kind === 'text' ? 170 : c.kind === 'badge' ? 110 : c.kind === 'datetime' ? 150 : 100),
      ...(c.kind === 'badge' ? { render: (row: GridRow) => <StatusBadge value={row[c.key]} /> } : {}),
    })),
    ...(props.extraColumns ?? []),
  ], [descriptorColumns, props.extraColumns]);

  const visible = useMemo(
    () => sortRows(searchRows(props.rows, query, descriptorColumns.map((c) => c.key).concat(['id', 'name'])), sort),
    [props.rows, query, sort, descriptorColumns],
  );

  const { onRangeChange, onOpen } = props;
  const handleRange = useCallback((first: number, last: number) => onRangeChange?.(first, last, visible.slice(first, last + 1)), [onRangeChange, visible]);
  const getRow = useCallback((i: number) => visible[i] as GridRow | undefined, [visible]);
  const open = useCallback((i: number) => { if (visible[i]) onOpen(visible[i]); }, [visible, onOpen]);
  const label = level?.label ?? props.level;

  return (
    <div className="view" data-testid={`view-${props.level}`}>
      <div className="view-head">
        <h1 className="view-title">{props.title}</h1>
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
          {props.status === 'ready' ? (query ? `${formatCount(visible.length)} of ${formatCount(props.rows.length)}` : formatCount(props.rows.length)) + ' ' + (props.rows.length === 1 ? level?.singular ?? 'row' : label.toLowerCase()) : ''}
        </span>
        <button type="button" className="btn" onClick={props.onRetry} title="Reload from HyperStudy">Refresh</button>
        {props.toolbarEnd}
      </div>
      {props.warnings && props.warnings.length > 0 && (
        <div className="warn-box" role="status">{props.warnings.map((w, i) => <div key={i}>{w}</div>)}</div>
      )}
      {props.status === 'error' && props.error ? (
        <ErrorBox error={props.error} onRetry={props.onRetry} />
      ) : (
        <Grid
          label={label}
          testId={`grid-${props.level}`}
          columns={columns}
          rowCount={visible.length}
          getRow={getRow}
          onRangeChange={handleRange}
          sort={sort}
          onSort={(key) => setSort((s) => nextSort(s, key))}
          onOpen={open}
          loading={props.status === 'loading' || props.status === 'idle'}
          autoFocus
          empty={query && props.rows.length > 0 ? (
            <div className="empty" role="status"><h2>Nothing matches “{query}”</h2><p>Search looks in every visible column. Clear the search to see all {formatCount(props.rows.length)}.</p></div>
          ) : props.empty}
          footer={<span>↑↓ move · Enter opens · Backspace goes up · Alt+← / Alt+→ back and forward</span>}
        />
      )}
    </div>
  );
}
