// One data type at one target: a paged, virtualized table with sort, per-column filters, search,
// a column chooser, raw-JSON rows, an optional plot, and (for media) per-file downloads.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { DataTypeDescriptor } from '../../../src-shared/model';
import type { UiTarget as Target } from '../lib/ui-target';
import { ErrorBox, EmptyState } from '../components/ErrorBox';
import { Grid, defaultWidth, type GridColumn, type GridRow } from '../components/Grid';
import { LinePlot } from '../components/LinePlot';
import { readField } from '../lib/cells';
import { mergeColumns } from '../lib/columns';
import { formatCount } from '../lib/format';
import { nextSort, type SortState } from '../lib/local-table';
import { buildSeries } from '../lib/plot-data';
import { useModel } from '../model-context';
import { createPreviewPager } from '../stores/preview-pager';
import { PreviewPlot } from './PreviewPlot';
import { StatusBadge } from '../components/Badge';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function PreviewPanel({ target, dt, title, onCount }: { target: Target; dt: DataTypeDescriptor; title: string; onCount?: (n: number) => void }) {
  const model = useModel();
  const [sort, setSort] = useState<SortState | null>(null);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [search, setSearch] = useState('');
  const [showFilters, setShowFilters] = useState(false);
  const [chooserOpen, setChooserOpen] = useState(false);
  const [visibleKeys, setVisibleKeys] = useState<Set<string> | null>(null);
  const dSearch = useDebounced(search, 250);
  const dFilters = useDebounced(filters, 250);
  const activeFilters = useMemo(() => Object.fromEntries(Object.entries(dFilters).filter(([, v]) => v.trim() !== '')), [dFilters]);

  const pager = useMemo(
    () => createPreviewPager((q) => model.api.getPreview(q), {
      target, type: dt.id, ...(sort ? { sort } : {}), ...(Object.keys(activeFilters).length ? { filters: activeFilters } : {}), ...(dSearch ? { search: dSearch } : {}),
    }),
    [model, target, dt.id, sort, activeFilters, dSearch],
  );
  useEffect(() => () => pager.dispose(), [pager]);
  const status = useStore(pager.store, (s) => s.status);
  const totalRows = useStore(pager.store, (s) => s.totalRows);
  const unfilteredRows = useStore(pager.store, (s) => s.unfilteredRows);
  const complete = useStore(pager.store, (s) => s.complete);
  const seenColumns = useStore(pager.store, (s) => s.columns);
  const error = useStore(pager.store, (s) => s.error);
  const version = useStore(pager.store, (s) => s.version);

  useEffect(() => { if (status === 'ready' && !dSearch && Object.keys(activeFilters).length === 0) onCount?.(unfilteredRows); }, [status, unfilteredRows, dSearch, activeFilters, onCount]);

  const allColumns = useMemo(() => mergeColumns(dt.columns, seenColumns, pager.rowAt(0)), [dt.columns, seenColumns, pager, status]);
  const visible = useMemo(() => {
    if (visibleKeys) return visibleKeys;
    const defaults = allColumns.filter((c) => c.defaultVisible).map((c) => c.key);
    return new Set(defaults.length ? defaults : allColumns.slice(0, 8).map((c) => c.key));
  }, [visibleKeys, allColumns]);

  const downloadOne = useCallback((row: GridRow) => {
    const id = String(readField(row, dt.idField) ?? '');
    if (!id) return;
    model.ui.setState({ exportDialog: { target, types: [dt.id], recordingIds: [id], title: `${dt.label}: ${String(readField(row, 'filename') ?? readField(row, 'fileName') ?? id)}` } });
  }, [dt, model, target]);

  const columns: GridColumn[] = useMemo(() => {
    const cols: GridColumn[] = allColumns.filter((c) => visible.has(c.key)).map((c) => ({
      key: c.key, label: c.label, kind: c.kind, width: c.width ?? defaultWidth(c.kind),
      ...(c.kind === 'badge' ? { render: (row: GridRow) => <StatusBadge value={readField(row, c.key)} /> } : {}),
    }));
    if (dt.media) {
      cols.push({
        key: '__download', label: '', kind: 'text', width: 110, sortable: false, filterable: false,
        render: (row: GridRow) => (
          <button type="button" className="btn small" tabIndex={-1} onClick={(e) => { e.stopPropagation(); downloadOne(row); }} data-testid="download-file">⤓ Download</button>
        ),
      });
    }
    return cols;
  }, [allColumns, visible, dt.media, downloadOne]);

  // A new function per landed page tells the grid to re-read its visible rows.
  const getRow = useMemo(() => (version >= 0 ? (i: number) => pager.rowAt(i) : () => undefined), [pager, version]);
  const onRangeChange = useCallback((first: number, last: number) => pager.ensureRange(first, last), [pager]);
  const filtered = !!dSearch || Object.keys(activeFilters).length > 0;

  const chooserRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!chooserOpen) return;
    const onDoc = (e: MouseEvent) => { if (!chooserRef.current?.contains(e.target as Node)) setChooserOpen(false); };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [chooserOpen]);

  return (
    <>
      <div className="toolbar">
        <input className="input search" type="search" aria-label={`Search ${dt.label.toLowerCase()}`} placeholder={`Search ${dt.label.toLowerCase()}…`} value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="button" className="btn" aria-pressed={showFilters} onClick={() => setShowFilters((x) => !x)}>
          {showFilters ? 'Hide filters' : 'Show filters'}{Object.keys(activeFilters).length > 0 && <span className="badge accent">{Object.keys(activeFilters).length}</span>}
        </button>
        <div className="rel" ref={chooserRef}>
          <button type="button" className="btn" aria-haspopup="true" aria-expanded={chooserOpen} onClick={() => setChooserOpen((x) => !x)}>Columns ▾</button>
          {chooserOpen && (
            <div className="menu" role="group" aria-label="Visible columns" onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setChooserOpen(false); } }}>
              {allColumns.map((c) => (
                <label key={c.key}>
                  <input
                    type="checkbox"
                    checked={visible.has(c.key)}
                    onChange={(e) => {
                      const next = new Set(visible);
                      if (e.target.checked) next.add(c.key); else if (next.size > 1) next.delete(c.key);
                      setVisibleKeys(next);
                    }}
                  />
                  {c.label}
                </label>
              ))}
            </div>
          )}
        </div>
        <span className="view-sub" data-testid="preview-count" aria-live="polite">
          {status === 'error' ? '' : status === 'loading' ? 'Loading…' : filtered ? `${formatCount(totalRows)} of ${formatCount(unfilteredRows)} rows` : `${formatCount(totalRows)} rows`}
          {status === 'ready' && !complete && ' · still fetching from HyperStudy…'}
        </span>
        <span className="grow" />
        <button type="button" className="btn" data-testid="download-type" onClick={() => model.ui.setState({ exportDialog: { target, types: [dt.id], title: `${dt.label} of ${title}` } })}>
          ⤓ Download {dt.label.toLowerCase()}…
        </button>
      </div>
      {dt.plot && unfilteredRows > 0 && <PreviewPlot target={target} dt={dt} build={buildSeries} Plot={LinePlot} complete={complete} />}
      {status === 'error' && error ? (
        <ErrorBox error={error} onRetry={() => pager.refresh()} />
      ) : (
        <Grid
          label={`${dt.label} of ${title}`}
          testId="preview-grid"
          columns={columns}
          rowCount={status === 'loading' ? 0 : totalRows}
          getRow={getRow}
          version={version}
          onRangeChange={onRangeChange}
          sort={sort}
          onSort={(key) => setSort((s) => nextSort(s, key))}
          showFilters={showFilters}
          filters={filters}
          onFilterChange={(key, value) => setFilters((f) => ({ ...f, [key]: value }))}
          rawJson
          loading={status === 'loading'}
          empty={filtered ? (
            <EmptyState title="No rows match"><p>Clear the search or the column filters to see all {formatCount(unfilteredRows)} rows.</p></EmptyState>
          ) : (
            <EmptyState title={`No ${dt.label.toLowerCase()} here`}>
              <p>HyperStudy has no {dt.label.toLowerCase()} for {title.toLowerCase().startsWith('participant') ? 'this participant' : 'this selection'}{complete ? '' : ' yet'}.</p>
            </EmptyState>
          )}
          footer={<span>{complete ? 'All rows loaded from HyperStudy' : 'Fetching from HyperStudy; rows appear as pages arrive'} · click a row or press → to see its raw JSON</span>}
        />
      )}
    </>
  );
}
