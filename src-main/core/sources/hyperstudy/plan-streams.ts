// Which HyperStudy streams an export reads: each type at the widest scope the target allows (one
// experiment-scope stream of events rather than one per participant). Room-only types (variables)
// are read per room: at an experiment that takes the rooms listing, at a participant the whole room.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeId, Target } from '../../../../src-shared/model';
import { endpointKey } from '../../net/endpoint-key';
import type { RequestOptions, SourceStreamPlan, StreamSpec } from '../source';
import type { HyperStudyClient } from './client-types';
import { dataTypeDescriptor, isDataTypeId } from './descriptors';
import { readTarget, targetScope } from './targets';

/** The `/data/{type}/{scope}/{id}` endpoint template a stream's requests count against. */
export function streamEndpoint(type: DataTypeId, scope: string): string {
  return endpointKey(`/data/${dataTypeDescriptor(type).endpoint}/${scope}/x`);
}

/** The route a recording's download link is minted at. */
export const MINT_ENDPOINT = '/data/recordings/download/{id}/{id}';

export function spec(type: DataTypeId, scope: string, scopeId: string, roomId?: string): StreamSpec {
  return {
    type,
    scope,
    scopeId,
    ...(roomId ? { params: { roomId }, context: `room ${roomId}` } : {}),
    endpoint: streamEndpoint(type, scope),
  };
}

export async function planHyperStudyStreams(client: HyperStudyClient, target: Target, types: readonly DataTypeId[], ro: RequestOptions): Promise<SourceStreamPlan> {
  const t = readTarget(target);
  const { scope, scopeId, roomId } = targetScope(target);
  const warnings: string[] = [];
  const streams: StreamSpec[] = [];
  let listingRequests = 0;
  let roomIds: string[] | null = null;
  for (const type of types) {
    if (!isDataTypeId(type)) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `HyperStudy has no data type "${type}".` });
    const d = dataTypeDescriptor(type);
    if (d.scopes.includes(scope)) {
      streams.push(spec(type, scope, scopeId, roomId));
    } else if (d.scopes.includes('room') && scope === 'experiment') {
      if (roomIds === null) {
        const before = client.requestsMade();
        const rooms = await client.listRooms(t.experimentId, ro);
        listingRequests += client.requestsMade() - before;
        warnings.push(...rooms.warnings);
        roomIds = rooms.items.map((r) => r.id);
      }
      for (const id of roomIds) streams.push(spec(type, 'room', id));
    } else if (d.scopes.includes('room') && scope === 'participant' && roomId) {
      streams.push(spec(type, 'room', roomId));
      warnings.push(`${d.label} are kept per room: the participant’s whole room is included.`);
    } else {
      warnings.push(`${d.label} cannot be exported per ${scope}; skipped.`);
    }
  }
  // The export also saves the experiment object, its rooms and its participants (one page each up
  // to 1000 items). A rooms listing already read here is reused by the export, not read again.
  const exportListingEndpoints = ['/experiments/{id}', `/data/participants/${t.level === 'experiment' ? 'experiment' : 'room'}/{id}`];
  if (roomIds === null) exportListingEndpoints.push('/data/rooms/experiment/{id}');
  return { streams, warnings, listingRequests, exportListingEndpoints };
}
