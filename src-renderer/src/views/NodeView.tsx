// A page of the hierarchy: the top (the root level's items) or one item's page. An item's page
// has its name as heading, a line of facts, "Browse data" and "Download" where its level has
// data, and its child levels: one is listed directly; several (a project's sessions, subjects,
// collections…) are tabs, the selected one part of the place's address.
import { useShallow } from 'zustand/react/shallow';
import type { LevelId, PathStep } from '../../../src-shared/model';
import { targetAt } from '../../../src-shared/target';
import { EmptyState } from '../components/ErrorBox';
import { ItemFacts } from '../components/ItemFacts';
import { SyncStatusLine } from '../components/SyncStatusLine';
import { TabList, TabPanel } from '../components/Tabs';
import { typesAt } from '../lib/data-types';
import { formatCount } from '../lib/format';
import { itemName } from '../lib/item-names';
import { childLevelsOf, itemTitle, levelOf } from '../lib/levels';
import { useApp, useHierarchy, useModel } from '../model-context';
import { listKey } from '../stores/hierarchy-store';
import { navigate, replaceLocation } from '../stores/nav-store';
import { LevelList, useOpenExport } from './LevelList';

/** "Browse data" and "Download …" for an item whose level has data. */
function ItemActions({ path, title }: { path: PathStep[]; title: string }) {
  const model = useModel();
  const openExport = useOpenExport();
  const descriptor = useApp((s) => s.descriptor)!;
  const level = levelOf(descriptor.levels, path.at(-1)!.level);
  if (!level || typesAt(descriptor, level.id).length === 0) return null;
  return (
    <>
      {path.length === 1 && <SyncStatusLine root={path[0]} />}
      <button type="button" className="btn" data-testid="browse-data" onClick={() => navigate(model.nav, { path, data: true })}>
        {level.parent === null ? 'Browse all data' : `Browse ${level.singular} data`}
      </button>
      <button type="button" className="btn primary" data-testid="download-level" onClick={() => openExport(targetAt(path), title)}>
        Download {level.singular}…
      </button>
    </>
  );
}

function NoConnection() {
  const model = useModel();
  const label = useApp((s) => s.descriptor?.levels.find((l) => l.parent === null)?.label ?? 'Data');
  return (
    <div className="view">
      <h1 className="view-title" tabIndex={-1}>{label}</h1>
      <EmptyState title="No connection yet">
        <p>Add a connection to see your data.</p>
        <p><button type="button" className="btn primary" onClick={() => model.ui.setState({ connectionsOpen: true })}>Add a connection…</button></p>
      </EmptyState>
    </div>
  );
}

export function NodeView({ path, list }: { path: PathStep[]; list?: LevelId }) {
  const model = useModel();
  const descriptor = useApp((s) => s.descriptor);
  const hasProfile = useApp((s) => s.profiles.some((p) => p.active));
  const levels = descriptor?.levels ?? [];
  const last = path.at(-1);
  const level = levelOf(levels, last?.level);
  const children = childLevelsOf(levels, last?.level ?? null);
  const selected = list && children.includes(list) ? list : children[0];
  const name = useHierarchy((h) => itemName(h, levels, path, path.length - 1)) ?? last?.id ?? '';
  // How many items each child level has, where its listing has loaded (no request for it).
  const sizes = useHierarchy(useShallow((h) => children.map((c) => (h.lists[listKey(c, path)]?.status.status === 'ready' ? h.lists[listKey(c, path)].ids.length : -1))));

  if (!descriptor) return null;
  if (!path.length && !hasProfile) return <NoConnection />;
  if (!selected) return null;
  const heading = last
    ? itemTitle(level, name)
    : children.length === 1 ? (levelOf(levels, selected)?.label ?? descriptor.label) : descriptor.label;
  const facts = last ? <ItemFacts path={path} level={level} /> : undefined;
  const actions = last ? <ItemActions path={path} title={itemTitle(level, name, true)} /> : undefined;

  if (children.length === 1) {
    return <LevelList level={selected} parentPath={path} title={heading} subtitle={facts} toolbarEnd={actions} />;
  }
  const idPrefix = 'levels';
  return (
    <div className="view" data-testid="view-node">
      <div className="view-head">
        <h1 className="view-title" tabIndex={-1}>{heading}</h1>
        {facts}
        <span className="grow" style={{ flex: 1 }} />
        {actions}
      </div>
      <TabList
        label={last ? `Lists of ${heading}` : `Lists of ${descriptor.label}`}
        idPrefix={idPrefix}
        selected={selected}
        onSelect={(id) => replaceLocation(model.nav, { path, list: id })}
        tabs={children.map((c, i) => {
          const label = levelOf(levels, c)?.label ?? c;
          return {
            id: c,
            text: label,
            label: <>{label}{sizes[i] >= 0 && <span className={`badge${sizes[i] > 0 ? ' accent' : ''}`}>{formatCount(sizes[i])}</span>}</>,
          };
        })}
      />
      <TabPanel idPrefix={idPrefix} tabId={selected}>
        <LevelList key={selected} level={selected} parentPath={path} />
      </TabPanel>
    </div>
  );
}
