// The items of one level under a parent path, as a table drawn from the level's descriptor: rows
// open the item's page (or, for a leaf level, its data) on one click; each row has its own
// Download where the level has data; levels that declare counts show what data each item has.
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LevelId, LevelItem, PathStep, Target } from '../../../src-shared/model';
import { pathKey, targetAt } from '../../../src-shared/target';
import { EmptyState } from '../components/ErrorBox';
import type { GridColumn, GridRow } from '../components/Grid';
import { typesAt } from '../lib/data-types';
import { formatCount } from '../lib/format';
import { isLeaf, itemLabel, itemTitle, levelOf, opens } from '../lib/levels';
import { useApp, useHierarchy, useModel } from '../model-context';
import { itemKey, listItems, listStatus } from '../stores/hierarchy-store';
import { navigate } from '../stores/nav-store';
import { LevelTable } from './LevelTable';

/** A row's own action: reachable with Tab, named after its row. */
function DownloadCell({ onClick, label }: { onClick: () => void; label: string }) {
  return (
    <button
      type="button"
      className="btn small ghost row-action"
      aria-label={label}
      title={label}
      onClick={(e) => { e.stopPropagation(); onClick(); }}
      onKeyDown={(e) => e.stopPropagation()}
    >
      ⤓
    </button>
  );
}

export function useOpenExport() {
  const model = useModel();
  return useCallback((target: Target, title: string) => model.ui.setState({ exportDialog: { target, title } }), [model]);
}

/** The records an item has, by data type, as badges (levels with `counts`). */
function CountsBadges({ path }: { path: PathStep[] }) {
  const counts = useHierarchy((s) => s.counts[itemKey(path)]);
  const dataTypes = useApp((s) => s.descriptor?.dataTypes);
  if (!counts || counts === 'loading') return <span className="skeleton" style={{ width: '60%' }} />;
  if (counts === 'error') return <span className="view-sub">Counts unavailable</span>;
  const entries = Object.entries(counts.counts).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return <span className="view-sub">No data</span>;
  return (
    <span className="badges" data-testid="data-badges">
      {entries.map(([id, n]) => {
        const label = dataTypes?.find((d) => d.id === id)?.label ?? id;
        return (
          <span key={id} className="badge accent" title={`${formatCount(n ?? 0)} ${label.toLowerCase()}`}>
            {label} {formatCount(n ?? 0)}
          </span>
        );
      })}
    </span>
  );
}

export interface LevelListProps {
  level: LevelId;
  parentPath: PathStep[];
  /** The view's heading; absent inside a page that has its own (one tab of several child levels). */
  title?: ReactNode;
  subtitle?: ReactNode;
  toolbarEnd?: ReactNode;
}

export function LevelList({ level, parentPath, title, subtitle, toolbarEnd }: LevelListProps) {
  const model = useModel();
  const openExport = useOpenExport();
  const descriptor = useApp((s) => s.descriptor)!;
  const sourceLabel = descriptor.label;
  const l = levelOf(descriptor.levels, level);
  const parentKey = pathKey(parentPath);
  // The same path object for as long as the place is the same.
  const parent = useMemo(() => parentPath, [parentKey]);
  const rows = useHierarchy(useShallow((h) => listItems(h, level, parent)));
  const status = useHierarchy((h) => listStatus(h, level, parent));
  useEffect(() => { model.ensurePath(parent); model.ensureList(level, parent); }, [model, level, parent]);

  const singular = l?.singular ?? level;
  const leaf = isLeaf(descriptor.levels, level);
  const canOpen = opens(descriptor, level);
  const hasData = typesAt(descriptor, level).length > 0;
  const pathTo = useCallback((row: GridRow): PathStep[] => [...parent, { level, id: String(row.id) }], [parent, level]);
  const nameOf = useCallback((row: GridRow) => itemLabel(row as LevelItem, l, String(row.id)), [l]);

  // Counts cost a request each: asked for the rows on screen, and again after an outage.
  const shownRows = useRef<LevelItem[]>([]);
  const onRangeChange = useCallback((_f: number, _l: number, visibleRows: LevelItem[]) => {
    shownRows.current = visibleRows;
    for (const row of visibleRows) if (row) void model.loadCounts(pathTo(row));
  }, [model, pathTo]);
  const reconnects = useApp((s) => s.reconnects);
  useEffect(() => {
    if (l?.counts) for (const row of shownRows.current) if (row) void model.loadCounts(pathTo(row));
  }, [reconnects, model, pathTo, l?.counts]);

  const extra: GridColumn[] = useMemo(() => [
    ...(l?.counts ? [{
      key: '__data', label: 'Data available', kind: 'text' as const, width: 288, sortable: false, wrap: true, grow: true,
      render: (row: GridRow) => <CountsBadges path={pathTo(row)} />,
    }] : []),
    ...(hasData ? [{
      key: '__actions', label: '', kind: 'text' as const, width: 52, sortable: false, resizable: false,
      render: (row: GridRow) => <DownloadCell label={`Download ${singular} ${nameOf(row)}`} onClick={() => openExport(targetAt(pathTo(row)), itemTitle(l, nameOf(row), true))} />,
    }] : []),
  ], [l, hasData, singular, nameOf, openExport, pathTo]);

  const label = l?.label ?? level;
  return (
    <LevelTable
      level={level}
      title={title}
      subtitle={subtitle}
      rows={rows}
      status={status.status}
      error={status.error}
      warnings={status.warnings}
      onRetry={() => void model.loadList(level, parent, true)}
      onOpen={canOpen ? (row: LevelItem) => navigate(model.nav, { path: pathTo(row as GridRow), ...(leaf ? { data: true } : {}) }) : undefined}
      openLabel={(row) => (leaf ? `Open the data of ${nameOf(row)}` : `Open ${singular} ${nameOf(row)}`)}
      extraColumns={extra}
      onRangeChange={l?.counts ? onRangeChange : undefined}
      rowHeight={l?.counts ? 84 : undefined}
      toolbarEnd={toolbarEnd}
      empty={
        <EmptyState title={`No ${label.toLowerCase()} here`}>
          <p>{sourceLabel} lists no {label.toLowerCase()} {parent.length ? `for this ${levelOf(descriptor.levels, parent.at(-1)!.level)?.singular ?? 'item'}` : 'that this connection can read'}.</p>
          {!parent.length && <p>Check the connection’s settings under Connections… if you expected some.</p>}
        </EmptyState>
      }
    />
  );
}
