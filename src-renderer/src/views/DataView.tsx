// The data viewer: one tab per data type the source describes for this level, with count badges
// (empty tabs dimmed), each tab a lazily mounted preview.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DataTypeId } from '../../../src-shared/model';
import type { UiTarget as Target } from '../lib/ui-target';
import { StatusBadge } from '../components/Badge';
import { EmptyState } from '../components/ErrorBox';
import { TabList, TabPanel } from '../components/Tabs';
import { formatCount } from '../lib/format';
import { useApp, useHierarchy, useModel } from '../model-context';
import { participantKey, roomKey } from '../stores/hierarchy-store';
import { replaceLocation } from '../stores/nav-store';
import { PreviewPanel } from './PreviewPanel';

export function DataView({ target, tab }: { target: Target; tab?: DataTypeId }) {
  const model = useModel();
  const descriptor = useApp((s) => s.descriptor);
  const counts = useHierarchy((s) => (target.participantId && target.roomId ? s.countsByParticipant[participantKey(target.roomId, target.participantId)] : undefined));
  const participant = useHierarchy((s) => (target.participantId && target.roomId ? s.participantsByKey[participantKey(target.roomId, target.participantId)] : undefined));
  const room = useHierarchy((s) => (target.roomId ? s.roomsById[roomKey(target.experimentId, target.roomId)] : undefined));
  const experiment = useHierarchy((s) => s.experimentsById[target.experimentId]);
  const [learned, setLearned] = useState<Partial<Record<DataTypeId, number>>>({});

  useEffect(() => {
    if (target.participantId && target.roomId) void model.loadCounts(target.experimentId, target.roomId, target.participantId);
    const h = model.hierarchy.getState();
    if (h.experimentsStatus.status === 'idle') void model.loadExperiments();
    if (target.roomId && h.roomsStatus[target.experimentId] === undefined) void model.loadRooms(target.experimentId);
    if (target.roomId && target.participantId && h.participantsStatus[target.roomId] === undefined) void model.loadParticipants(target.experimentId, target.roomId);
  }, [model, target]);

  const types = useMemo(() => (descriptor?.dataTypes ?? []).filter((d) => d.scopes.includes(target.level)), [descriptor, target.level]);
  const countOf = useCallback((id: DataTypeId): number | undefined => {
    if (counts && typeof counts === 'object' && counts.counts[id] !== undefined) return counts.counts[id];
    return learned[id];
  }, [counts, learned]);

  const selected: DataTypeId | undefined = tab && types.some((t) => t.id === tab)
    ? tab
    : (types.find((t) => (countOf(t.id) ?? 0) > 0) ?? types[0])?.id;

  const title = target.participantId ? `Participant ${target.participantId}` : target.roomId ? `Room ${room?.name ?? target.roomId}` : experiment?.name ?? target.experimentId;
  const onCount = useCallback((id: DataTypeId, n: number) => setLearned((l) => (l[id] === n ? l : { ...l, [id]: n })), []);

  if (!descriptor) return null;
  if (types.length === 0) {
    return <div className="view"><EmptyState title="Nothing to preview at this level"><p>This source has no data types for a {target.level}.</p></EmptyState></div>;
  }
  const dt = types.find((t) => t.id === selected)!;
  const idPrefix = 'data';
  return (
    <div className="view" data-testid="view-data">
      <div className="view-head">
        <h1 className="view-title">{title}</h1>
        {participant && (
          <span className="view-sub" style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
            {participant.role && <span>{participant.role}</span>}
            <StatusBadge value={participant.status} />
            {participant.completionCode && <span>code <code>{participant.completionCode}</code></span>}
          </span>
        )}
        <span className="grow" style={{ flex: 1 }} />
        <button
          type="button"
          className="btn primary"
          data-testid="download-level"
          onClick={() => model.ui.setState({ exportDialog: { target, title } })}
        >
          ⤓ Download all data…
        </button>
      </div>
      <TabList
        label="Data types"
        idPrefix={idPrefix}
        selected={selected!}
        onSelect={(id) => replaceLocation(model.nav, { view: 'data', target, tab: id as DataTypeId })}
        tabs={types.map((t) => {
          const n = countOf(t.id);
          return {
            id: t.id,
            dim: n === 0,
            title: n === 0 ? `No ${t.label.toLowerCase()} for this ${target.level}` : undefined,
            label: <>{t.label}{n !== undefined && <span className={`badge${n > 0 ? ' accent' : ''}`}>{formatCount(n)}</span>}</>,
          };
        })}
      />
      <TabPanel idPrefix={idPrefix} tabId={dt.id}>
        <PreviewPanel
          key={`${dt.id}:${JSON.stringify(target)}`}
          target={target}
          dt={dt}
          title={title}
          onCount={(n) => onCount(dt.id, n)}
        />
      </TabPanel>
    </div>
  );
}
