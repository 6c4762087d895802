// One data type at one target: a paged, virtualized table with sort, per-column filters (text,
// numbers, ranges, times), search, a column chooser, resizable columns, raw-JSON rows, an
// optional plot, per-file downloads for media, and "Export this table" for exactly what it shows.
// The layout (columns, sort, filters, widths) is remembered per data type across tabs and restarts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { DataTypeDescriptor, Target } from '../../../src-shared/model';
import { StatusBadge } from '../components/Badge';
import { EmptyState, ViewError, Words } from '../components/ErrorBox';
import { Grid, defaultWidth, type GridColumn, type GridRow } from '../components/Grid';
import { LinePlot } from '../components/LinePlot';
import { formatCell, readField } from '../lib/cells';
import { mergeColumns } from '../lib/columns';
import { formatCount, plural } from '../lib/format';
import { nameForField } from '../lib/item-names';
import { levelOf, levelOfField, mediaNoun } from '../lib/levels';
import { nextSort, type SortState } from '../lib/local-table';
import type { PathStep } from '../lib/location';
import { buildSeries } from '../lib/plot-data';
import { useApp, useHierarchy, useModel } from '../model-context';
import { createPreviewPager } from '../stores/preview-pager';
import { tableKey } from '../stores/table-views';
import { PreviewPlot } from './PreviewPlot';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const NO_FILTERS: Record<string, string> = {};

/** Names for ids in the data (a column naming items of a level), from the listings this root item has loaded. */
function useNames(path: PathStep[]) {
  const names = useHierarchy((h) => h.names);
  const levels = useApp((s) => s.descriptor?.levels);
  return useCallback((field: string, value: unknown) => (typeof value === 'string' || typeof value === 'number' ? nameForField({ names }, levels ?? [], path, field, String(value)) : undefined), [names, levels, path]);
}

export function PreviewPanel({ target, path, dt, title, onCount }: { target: Target; path: PathStep[]; dt: DataTypeDescriptor; title: string; onCount?: (n: number) => void }) {
  const model = useModel();
  const sourceId = useApp((s) => s.descriptor?.id ?? 'source');
  const sourceLabel = useApp((s) => s.descriptor?.label ?? 'the server');
  const levels = useApp((s) => s.descriptor?.levels);
  const reconnects = useApp((s) => s.reconnects);
  const key = tableKey(sourceId, 'type', dt.id);
  const saved = useStore(model.tableViews, (s) => s[key]);
  const update = useCallback((patch: Parameters<typeof model.updateTableView>[1]) => model.updateTableView(key, patch), [model, key]);
  const sort: SortState | null = saved?.sort ?? null;
  const filters = saved?.filters ?? NO_FILTERS;
  const showFilters = saved?.showFilters ?? Object.values(filters).some((v) => v.trim() !== '');
  const [search, setSearch] = useState('');
  const [chooserOpen, setChooserOpen] = useState(false);
  const dSearch = useDebounced(search, 250);
  const dFilters = useDebounced(filters, 250);
  const activeFilters = useMemo(() => Object.fromEntries(Object.entries(dFilters).filter(([, v]) => v.trim() !== '')), [dFilters]);
  const nameOf = useNames(path);

  const pager = useMemo(
    () => createPreviewPager((q) => model.api.getPreview(q), {
      target, type: dt.id, ...(sort ? { sort } : {}), ...(Object.keys(activeFilters).length ? { filters: activeFilters, timeZone: TIME_ZONE } : {}), ...(dSearch ? { search: dSearch } : {}),
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
  const warnings = useStore(pager.store, (s) => s.warnings);
  const version = useStore(pager.store, (s) => s.version);

  // The server is back: a table that failed loads again by itself.
  const firstReconnects = useRef(reconnects);
  useEffect(() => {
    if (reconnects !== firstReconnects.current && pager.store.getState().error) pager.refresh();
  }, [reconnects, pager]);

  useEffect(() => { if (status === 'ready' && !dSearch && Object.keys(activeFilters).length === 0) onCount?.(unfilteredRows); }, [status, unfilteredRows, dSearch, activeFilters, onCount]);

  const allColumns = useMemo(() => mergeColumns(dt.columns, seenColumns, pager.rowAt(0)), [dt.columns, seenColumns, pager, status]);
  const visibleKeys = useMemo(() => {
    const known = new Set(allColumns.map((c) => c.key));
    const chosen = saved?.columns?.filter((k) => known.has(k) || !seenColumns.length);
    if (chosen?.length) return chosen;
    const defaults = allColumns.filter((c) => c.defaultVisible).map((c) => c.key);
    return defaults.length ? defaults : allColumns.slice(0, 8).map((c) => c.key);
  }, [saved?.columns, allColumns, seenColumns.length]);
  const visible = useMemo(() => new Set(visibleKeys), [visibleKeys]);

  const downloadOne = useCallback((row: GridRow) => {
    const id = String(readField(row, dt.idField) ?? '');
    if (!id) return;
    const fileName = String(readField(row, 'filename') ?? readField(row, 'fileName') ?? id);
    const size = readField(row, 'fileSize');
    const duration = readField(row, 'duration');
    model.ui.setState({
      recordingDialog: {
        target, type: dt.id, recordingId: id, fileName,
        ...(typeof size === 'number' ? { fileSize: size } : {}),
        ...(typeof duration === 'number' ? { durationMs: duration } : {}),
      },
    });
  }, [dt, model, target]);

  const widths = saved?.widths;
  const columns: GridColumn[] = useMemo(() => {
    const cols: GridColumn[] = allColumns.filter((c) => visible.has(c.key)).map((c) => {
      const base: GridColumn = { key: c.key, label: c.label, kind: c.kind, width: widths?.[c.key] ?? c.width ?? defaultWidth(c.kind) };
      if (c.kind === 'badge') return { ...base, render: (row: GridRow) => <StatusBadge value={readField(row, c.key)} /> };
      // Ids of items of a level (a participant, a session) show their names, the id beside.
      if (levels && levelOfField(levels, c.key)) {
        return {
          ...base,
          render: (row: GridRow) => {
            const v = readField(row, c.key);
            const name = nameOf(c.key, v);
            return name ? <span title={String(v)}>{name}<span className="id-sub">{String(v)}</span></span> : formatCell(v, c.kind);
          },
        };
      }
      return base;
    });
    if (dt.media) {
      cols.push({
        key: '__download', label: '', kind: 'text', width: 120, sortable: false, filterable: false, resizable: false,
        render: (row: GridRow) => {
          const file = String(readField(row, 'filename') ?? readField(row, 'fileName') ?? readField(row, dt.idField) ?? `this ${mediaNoun(dt)}`);
          return (
            <button type="button" className="btn small row-action" aria-label={`Download ${file}`} onClick={(e) => { e.stopPropagation(); downloadOne(row); }} onKeyDown={(e) => e.stopPropagation()} data-testid="download-file">⤓ Download</button>
          );
        },
      });
    }
    return cols;
  }, [allColumns, visible, dt, downloadOne, widths, nameOf, levels]);

  // A new function per landed page tells the grid to re-read its visible rows.
  const getRow = useMemo(() => (version >= 0 ? (i: number) => pager.rowAt(i) : () => undefined), [pager, version]);
  const onRangeChange = useCallback((first: number, last: number) => pager.ensureRange(first, last), [pager]);
  const onResize = useCallback((col: string, w: number) => update({ widths: { ...model.tableViews.getState()[key]?.widths, [col]: w } }), [update, model, key]);
  const filterCount = Object.keys(activeFilters).length;
  const filtered = !!dSearch || filterCount > 0;
  const label = dt.label.toLowerCase();

  const chooserRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!chooserOpen) return;
    const onDoc = (e: MouseEvent) => { if (!chooserRef.current?.contains(e.target as Node)) setChooserOpen(false); };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [chooserOpen]);

  const exportShown = () => model.ui.setState({
    exportDialog: {
      target, types: [dt.id], title: `${dt.label} of ${title}, as the table shows it`,
      view: {
        ...(filterCount ? { filters: activeFilters } : {}), ...(dSearch ? { search: dSearch } : {}), ...(sort ? { sort } : {}),
        columns: visibleKeys, timeZone: TIME_ZONE,
      },
      viewRows: totalRows,
    },
  });

  return (
    <>
      <div className="toolbar">
        <input className="input search" type="search" aria-label={`Search ${label}`} placeholder={`Search ${label}…`} value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="button" className="btn" aria-pressed={showFilters} onClick={() => update({ showFilters: !showFilters })}>
          {showFilters ? 'Hide filters' : 'Show filters'}{filterCount > 0 && <span className="badge accent" aria-label={`${plural(filterCount, 'filter')} on`}>{filterCount}</span>}
        </button>
        {filterCount > 0 && <button type="button" className="btn ghost small" onClick={() => update({ filters: {} })}>Clear filters</button>}
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
                      const next = e.target.checked ? allColumns.map((x) => x.key).filter((k) => visible.has(k) || k === c.key) : visibleKeys.filter((k) => k !== c.key);
                      if (next.length > 0) update({ columns: next });
                    }}
                  />
                  {c.label}
                </label>
              ))}
              <button type="button" className="btn small ghost" onClick={() => update({ columns: undefined, widths: undefined })}>Reset to default columns</button>
            </div>
          )}
        </div>
        <span className="view-sub" data-testid="preview-count" aria-live="polite">
          {status === 'error' ? '' : status === 'loading' ? 'Loading…' : filtered ? `${formatCount(totalRows)} of ${plural(unfilteredRows, 'row')}` : plural(totalRows, 'row')}
          {status === 'ready' && !complete && ` · still fetching from ${sourceLabel}…`}
        </span>
        <span className="grow" />
        <button type="button" className="btn" data-testid="export-shown" disabled={status !== 'ready' || totalRows === 0} onClick={exportShown} title="The rows that pass the filters and search, with the visible columns, in this order">
          ⤓ Export this table…
        </button>
        <button type="button" className="btn" data-testid="download-type" onClick={() => model.ui.setState({ exportDialog: { target, types: [dt.id], title: `${dt.label} of ${title}` } })}>
          ⤓ Download {label}…
        </button>
      </div>
      {warnings.length > 0 && status === 'ready' && <div className="warn-box" role="status">{warnings.map((w, i) => <div key={i}><Words text={w} /></div>)}</div>}
      {dt.plot && unfilteredRows > 0 && <PreviewPlot target={target} dt={dt} build={buildSeries} Plot={LinePlot} complete={complete} seriesName={(id) => nameOf(dt.plot!.seriesBy, id) ?? id} />}
      {status === 'error' && error ? (
        <ViewError error={error} onRetry={() => pager.refresh()} what={`The ${label}`} />
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
          onSort={(k) => update({ sort: nextSort(sort, k) })}
          showFilters={showFilters}
          filters={filters}
          onFilterChange={(k, value) => update({ filters: { ...model.tableViews.getState()[key]?.filters, [k]: value } })}
          onResize={onResize}
          rawJson
          loading={status === 'loading'}
          empty={filtered ? (
            <EmptyState title="No rows match"><p>Clear the search or the column filters to see all {plural(unfilteredRows, 'row')}.</p></EmptyState>
          ) : (
            <EmptyState title={`No ${label} here`}>
              <p>{sourceLabel} has no {label} for this {levelOf(levels ?? [], target.level)?.singular ?? 'selection'}{complete ? '' : ' yet'}.</p>
            </EmptyState>
          )}
          footer={<span>{complete ? `All rows loaded from ${sourceLabel}` : `Fetching from ${sourceLabel}; rows appear as pages arrive`} · click a row or press → to see its raw JSON · filters take numbers and times: &gt;100000, 10..20, &gt;2026-11-30 14:00</span>}
        />
      )}
    </>
  );
}
