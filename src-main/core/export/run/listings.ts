// The listings an export carries besides its data: the experiment object, its rooms and its
// participants, narrowed to the target. Saved once in the workspace; a resumed job reuses them.
import path from 'node:path';
import type { Participant, Room, Target } from '../../../../src-shared/model';
import type { HyperStudyClient, RequestOptions } from '../../sources/hyperstudy/client-types';
import { readJson, writeJson } from './workspace';

export interface Listings {
  experiment: Record<string, unknown>;
  rooms: Room[];
  participants: Participant[];
  warnings: string[];
}

export async function loadOrFetchListings(client: HyperStudyClient, target: Target, dir: string, opts: RequestOptions): Promise<Listings> {
  const file = path.join(dir, 'listings.json');
  const saved = await readJson<Listings>(file);
  if (saved) return saved;
  const experiment = await client.getExperiment(target.experimentId, opts);
  const rooms = await client.listRooms(target.experimentId, opts);
  const participants =
    target.level === 'experiment'
      ? await client.listParticipants('experiment', target.experimentId, opts)
      : await client.listParticipants('room', target.roomId!, opts);
  const listings: Listings = {
    experiment,
    rooms: target.level === 'experiment' ? rooms.items : rooms.items.filter((r) => r.id === target.roomId),
    participants: target.level === 'participant' ? participants.items.filter((p) => p.id === target.participantId) : participants.items,
    warnings: [...rooms.warnings, ...participants.warnings],
  };
  await writeJson(file, listings);
  return listings;
}

export function experimentNameOf(experiment: Record<string, unknown>): string | undefined {
  const n = experiment.name;
  return typeof n === 'string' && n.trim() ? n : undefined;
}
