// The data viewer: one tab per data type the source offers at this level, with count badges
// (empty tabs dimmed, tabs the key cannot read marked with the scope it lacks), each tab a
// lazily mounted preview. The selected tab is part of the place's address.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DataTypeId, Target } from '../../../src-shared/model';
import { EmptyState } from '../components/ErrorBox';
import { ItemFacts } from '../components/ItemFacts';
import { TabList, TabPanel } from '../components/Tabs';
import { missingScopeOf, typesAt } from '../lib/data-types';
import { formatCount } from '../lib/format';
import { itemName } from '../lib/item-names';
import { itemTitle, levelOf, levelOfField, lowerFirst } from '../lib/levels';
import type { PathStep } from '../lib/location';
import { useApp, useHierarchy, useModel } from '../model-context';
import { itemKey } from '../stores/hierarchy-store';
import { replaceLocation } from '../stores/nav-store';
import { PreviewPanel } from './PreviewPanel';

/** What a researcher reads when a tab's data is closed to this credential, and how to open it. */
function ScopeNeeded({ label, scope }: { label: string; scope: string }) {
  const source = useApp((s) => s.descriptor);
  const auth = source?.authMethods[0];
  const credential = lowerFirst(auth?.label ?? 'credential');
  return (
    <div className="scope-box" role="status" data-testid="scope-needed" data-scope={scope}>
      <h2>This {credential} can’t read {label.toLowerCase()}</h2>
      <p>It was created without the <code>{scope}</code> permission, so {source?.label ?? 'the server'} refuses this data.</p>
      <p>To see it, create a {credential} that includes <code>{scope}</code>, then add it under Connections.{auth?.hint ? ` ${auth.hint}` : ''}</p>
    </div>
  );
}

export function DataView({ target, path, tab }: { target: Target; path: PathStep[]; tab?: string }) {
  const model = useModel();
  const descriptor = useApp((s) => s.descriptor);
  const access = useApp((s) => s.keyAccess);
  const level = levelOf(descriptor?.levels ?? [], target.level);
  const counts = useHierarchy((s) => (level?.counts ? s.counts[itemKey(path)] : undefined));
  const name = useHierarchy((s) => itemName(s, descriptor?.levels ?? [], path, path.length - 1));
  const [learned, setLearned] = useState<Partial<Record<DataTypeId, number>>>({});
  const reconnects = useApp((s) => s.reconnects);
  const types = useMemo(() => typesAt(descriptor, target.level), [descriptor, target.level]);

  useEffect(() => {
    if (level?.counts) void model.loadCounts(path);
    // Names for the steps of the path, and for ids in the data; which tabs this key may read.
    model.ensurePath(path);
    const named = new Set(types.flatMap((t) => t.columns.map((c) => levelOfField(descriptor?.levels ?? [], c.key)).concat(t.plot ? [levelOfField(descriptor?.levels ?? [], t.plot.seriesBy)] : [])));
    for (const l of named) if (l) model.ensureNames(path, l);
    void model.loadKeyAccess(target.path);
  }, [model, target, path, level?.counts, types, descriptor, reconnects]);

  const countOf = useCallback((id: DataTypeId): number | undefined => {
    if (counts && typeof counts === 'object' && counts.counts[id] !== undefined) return counts.counts[id];
    return learned[id];
  }, [counts, learned]);

  const selected: DataTypeId | undefined = tab && types.some((t) => t.id === tab)
    ? (tab as DataTypeId)
    : (types.find((t) => (countOf(t.id) ?? 0) > 0 && !missingScopeOf(t, access)) ?? types[0])?.id;

  const shownName = name ?? path.at(-1)?.id ?? '';
  const title = itemTitle(level, shownName);
  const onCount = useCallback((id: DataTypeId, n: number) => setLearned((l) => (l[id] === n ? l : { ...l, [id]: n })), []);

  if (!descriptor) return null;
  if (types.length === 0) {
    return <div className="view"><h1 className="view-title" tabIndex={-1}>{title}</h1><EmptyState title="Nothing to preview at this level"><p>This source has no data types for a {level?.singular ?? target.level}.</p></EmptyState></div>;
  }
  const dt = types.find((t) => t.id === selected)!;
  const blockedScope = missingScopeOf(dt, access);
  const idPrefix = 'data';
  return (
    <div className="view" data-testid="view-data">
      <div className="view-head">
        <h1 className="view-title" tabIndex={-1}>{title}</h1>
        <ItemFacts path={path} level={level} />
        <span className="grow" style={{ flex: 1 }} />
        <button
          type="button"
          className="btn primary"
          data-testid="download-level"
          onClick={() => model.ui.setState({ exportDialog: { target, title: itemTitle(level, shownName, true) } })}
        >
          ⤓ Download all data…
        </button>
      </div>
      <TabList
        label="Data types"
        idPrefix={idPrefix}
        selected={selected!}
        onSelect={(id) => replaceLocation(model.nav, { path, data: true, tab: id })}
        tabs={types.map((t) => {
          const n = countOf(t.id);
          const scope = missingScopeOf(t, access);
          return {
            id: t.id,
            text: t.label,
            dim: n === 0 && !scope,
            blocked: !!scope,
            title: scope ? `This key can’t read ${t.label.toLowerCase()}: it needs ${scope}` : n === 0 ? `No ${t.label.toLowerCase()} for this ${level?.singular ?? target.level}` : undefined,
            label: (
              <>
                {t.label}
                {scope ? (
                  <span className="badge warn" data-testid="needs-scope">needs {scope}</span>
                ) : (
                  n !== undefined && <span className={`badge${n > 0 ? ' accent' : ''}`}>{formatCount(n)}</span>
                )}
              </>
            ),
          };
        })}
      />
      <TabPanel idPrefix={idPrefix} tabId={dt.id}>
        {blockedScope ? (
          <ScopeNeeded label={dt.label} scope={blockedScope} />
        ) : (
          <PreviewPanel
            key={`${dt.id}:${JSON.stringify(target)}`}
            target={target}
            path={path}
            dt={dt}
            title={title}
            onCount={(n) => onCount(dt.id, n)}
          />
        )}
      </TabPanel>
    </div>
  );
}
