// Experiments → rooms → participants. Each loads its list once (Refresh reloads) and opens the
// next level on one click. Places are paths of (level, id) steps (lib/location).
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Experiment, Participant, Room, Target } from '../../../src-shared/model';
import { EmptyState } from '../components/ErrorBox';
import type { GridColumn, GridRow } from '../components/Grid';
import { targetAt } from '../../../src-shared/target';
import { formatCount, plural } from '../lib/format';
import type { PathStep } from '../lib/location';
import { useApp, useHierarchy, useModel } from '../model-context';
import { IDLE, participantKey, roomKey } from '../stores/hierarchy-store';
import { navigate } from '../stores/nav-store';
import { LevelTable } from './LevelTable';
import { SyncStatusLine } from '../components/SyncStatusLine';

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

function useOpenExport() {
  const model = useModel();
  return useCallback((target: Target, title: string) => model.ui.setState({ exportDialog: { target, title } }), [model]);
}

const exp = (id: string): PathStep => ({ level: 'experiment', id });
const room = (id: string): PathStep => ({ level: 'room', id });
const participant = (id: string): PathStep => ({ level: 'participant', id });
const nameOf = (row: GridRow) => String(row.name ?? row.id);

export function ExperimentsView() {
  const model = useModel();
  const openExport = useOpenExport();
  const rows = useHierarchy(useShallow((s) => s.experimentIds.map((id) => s.experimentsById[id])));
  const status = useHierarchy((s) => s.experimentsStatus);
  const hasProfile = useApp((s) => s.profiles.some((p) => p.active));
  const actions: GridColumn[] = useMemo(() => [{
    key: '__actions', label: '', kind: 'text', width: 52, sortable: false, resizable: false,
    render: (row: GridRow) => <DownloadCell label={`Download experiment ${nameOf(row)}`} onClick={() => openExport(targetAt([exp(String(row.id))]), `Experiment “${nameOf(row)}”`)} />,
  }], [openExport]);

  if (!hasProfile) {
    return (
      <div className="view">
        <h1 className="view-title" tabIndex={-1}>Experiments</h1>
        <EmptyState title="No connection yet">
          <p>Add a HyperStudy API key to see your experiments.</p>
          <p><button type="button" className="btn primary" onClick={() => model.ui.setState({ connectionsOpen: true })}>Add a connection…</button></p>
        </EmptyState>
      </div>
    );
  }
  return (
    <LevelTable
      level="experiment"
      title="Experiments"
      rows={rows}
      status={status.status}
      error={status.error}
      warnings={status.warnings}
      onRetry={() => void model.loadExperiments(true)}
      onOpen={(e: Experiment) => navigate(model.nav, { path: [exp(e.id)] })}
      openLabel={(row) => `Open experiment ${nameOf(row)}`}
      extraColumns={actions}
      empty={
        <EmptyState title="No experiments for this key">
          <p>The key works, but HyperStudy lists no experiments you own or that were shared with you.</p>
          <p>If a colleague shared one across organizations, add your organization ID to the connection.</p>
        </EmptyState>
      }
    />
  );
}

export function RoomsView({ experimentId }: { experimentId: string }) {
  const model = useModel();
  const openExport = useOpenExport();
  const experiment = useHierarchy((s) => s.experimentsById[experimentId]);
  const rows = useHierarchy(useShallow((s) => (s.roomIdsByExperiment[experimentId] ?? []).map((id) => s.roomsById[roomKey(experimentId, id)])));
  const status = useHierarchy((s) => s.roomsStatus[experimentId] ?? IDLE);
  useEffect(() => {
    if (model.hierarchy.getState().roomsStatus[experimentId] === undefined) void model.loadRooms(experimentId);
    if (model.hierarchy.getState().experimentsStatus.status === 'idle') void model.loadExperiments();
  }, [experimentId, model]);
  const name = experiment?.name ?? experimentId;
  const actions: GridColumn[] = useMemo(() => [{
    key: '__actions', label: '', kind: 'text', width: 52, sortable: false, resizable: false,
    render: (row: GridRow) => <DownloadCell label={`Download room ${nameOf(row)}`} onClick={() => openExport(targetAt([exp(experimentId), room(String(row.id))]), `Room ${nameOf(row)}`)} />,
  }], [openExport, experimentId]);

  return (
    <LevelTable
      level="room"
      title={name}
      subtitle={experiment ? [experiment.origin === 'shared' ? 'Shared with you' : 'Own', experiment.participantCount !== undefined ? plural(experiment.participantCount, 'participant') : ''].filter(Boolean).join(' · ') : undefined}
      rows={rows}
      status={status.status}
      error={status.error}
      warnings={status.warnings}
      onRetry={() => void model.loadRooms(experimentId, true)}
      onOpen={(r: Room) => navigate(model.nav, { path: [exp(experimentId), room(r.id)] })}
      openLabel={(row) => `Open room ${nameOf(row)}`}
      extraColumns={actions}
      toolbarEnd={
        <>
          <SyncStatusLine root={exp(experimentId)} />
          <button type="button" className="btn" data-testid="browse-data" onClick={() => navigate(model.nav, { path: [exp(experimentId)], data: true })}>Browse all data</button>
          <button type="button" className="btn primary" data-testid="download-level" onClick={() => openExport(targetAt([exp(experimentId)]), `Experiment “${name}”`)}>Download experiment…</button>
        </>
      }
      empty={
        <EmptyState title="No rooms yet">
          <p>Rooms appear once participants have joined a deployment of this experiment.</p>
        </EmptyState>
      }
    />
  );
}

export function ParticipantsView({ experimentId, roomId }: { experimentId: string; roomId: string }) {
  const model = useModel();
  const openExport = useOpenExport();
  const roomItem = useHierarchy((s) => s.roomsById[roomKey(experimentId, roomId)]);
  const rows = useHierarchy(useShallow((s) => (s.participantIdsByRoom[roomId] ?? []).map((id) => s.participantsByKey[participantKey(roomId, id)])));
  const status = useHierarchy((s) => s.participantsStatus[roomId] ?? IDLE);
  const dataTypes = useApp((s) => s.descriptor?.dataTypes);
  useEffect(() => {
    const h = model.hierarchy.getState();
    if (h.participantsStatus[roomId] === undefined) void model.loadParticipants(experimentId, roomId);
    if (h.roomsStatus[experimentId] === undefined) void model.loadRooms(experimentId);
    if (h.experimentsStatus.status === 'idle') void model.loadExperiments();
  }, [experimentId, roomId, model]);

  const shownRows = useRef<Participant[]>([]);
  const onRangeChange = useCallback((_f: number, _l: number, visibleRows: Participant[]) => {
    shownRows.current = visibleRows;
    for (const p of visibleRows) if (p) void model.loadCounts(experimentId, roomId, p.id);
  }, [model, experimentId, roomId]);
  // Counts that failed while the server was away are asked for again once it is back.
  const reconnects = useApp((s) => s.reconnects);
  useEffect(() => {
    for (const p of shownRows.current) if (p) void model.loadCounts(experimentId, roomId, p.id);
  }, [reconnects, model, experimentId, roomId]);

  const extra: GridColumn[] = useMemo(() => [
    {
      key: '__data', label: 'Data available', kind: 'text', width: 288, sortable: false, wrap: true, grow: true,
      render: (row: GridRow) => <CountsBadges roomId={roomId} participantId={String(row.id)} labels={dataTypes} />,
    },
    {
      key: '__actions', label: '', kind: 'text', width: 52, sortable: false, resizable: false,
      render: (row: GridRow) => <DownloadCell label={`Download participant ${nameOf(row)}`} onClick={() => openExport(targetAt([exp(experimentId), room(roomId), participant(String(row.id))]), `Participant ${nameOf(row)}`)} />,
    },
  ], [roomId, dataTypes, openExport, experimentId]);

  const roomName = roomItem?.name ?? roomId;
  return (
    <LevelTable
      level="participant"
      title={`Room ${roomName}`}
      subtitle={roomItem?.deploymentName ?? roomItem?.deploymentId}
      rows={rows}
      status={status.status}
      error={status.error}
      warnings={status.warnings}
      onRetry={() => void model.loadParticipants(experimentId, roomId, true)}
      onOpen={(p: Participant) => navigate(model.nav, { path: [exp(experimentId), room(roomId), participant(p.id)], data: true })}
      openLabel={(row) => `Open the data of ${nameOf(row)}`}
      extraColumns={extra}
      onRangeChange={onRangeChange}
      rowHeight={84}
      toolbarEnd={
        <>
          <button type="button" className="btn" data-testid="browse-data" onClick={() => navigate(model.nav, { path: [exp(experimentId), room(roomId)], data: true })}>Browse room data</button>
          <button type="button" className="btn primary" data-testid="download-level" onClick={() => openExport(targetAt([exp(experimentId), room(roomId)]), `Room ${roomName}`)}>Download room…</button>
        </>
      }
      empty={
        <EmptyState title="No participants in this room">
          <p>Nobody has joined this room yet, or their sessions were removed.</p>
        </EmptyState>
      }
    />
  );
}

function CountsBadges({ roomId, participantId, labels }: { roomId: string; participantId: string; labels?: Array<{ id: string; label: string }> }) {
  const counts = useHierarchy((s) => s.countsByParticipant[participantKey(roomId, participantId)]);
  if (!counts || counts === 'loading') return <span className="skeleton" style={{ width: '60%' }} />;
  if (counts === 'error') return <span className="view-sub">Counts unavailable</span>;
  const entries = Object.entries(counts.counts).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return <span className="view-sub">No data</span>;
  return (
    <span className="badges" data-testid="data-badges">
      {entries.map(([id, n]) => {
        const label = labels?.find((l) => l.id === id)?.label ?? id;
        return (
          <span key={id} className="badge accent" title={`${formatCount(n ?? 0)} ${label.toLowerCase()}`}>
            {label} {formatCount(n ?? 0)}
          </span>
        );
      })}
    </span>
  );
}
