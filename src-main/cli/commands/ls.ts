// `studydl ls` (experiments), `ls <experimentId>` (rooms), `ls <experimentId>/<roomId>` (participants).
import { StudyError } from '../../../src-shared/errors';
import type { Experiment, Participant, Room } from '../../../src-shared/model';
import type { Command } from '../command';
import { EXIT } from '../command';
import { stringFlag } from '../args';
import { openClient } from '../context';
import { humanDuration, table, waitNotice, write, writeJson, writeWarnings } from '../output';

const date = (s?: string) => (s ? s.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '');

export function parseNodePath(p: string | undefined): { experimentId?: string; roomId?: string; participantId?: string } {
  if (!p) return {};
  const parts = p.split('/').filter(Boolean);
  if (parts.length > 3) throw new StudyError({ code: 'INVALID_ARGUMENT', message: `"${p}" has too many parts.`, fix: 'Use <experimentId>, <experimentId>/<roomId> or <experimentId>/<roomId>/<participantId>.' });
  return { experimentId: parts[0], roomId: parts[1], participantId: parts[2] };
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List experiments, the rooms of an experiment, or the participants of a room',
  usage: 'studydl ls [<experimentId>[/<roomId>]] [--search TEXT] [--json]',
  async run(args, ctx) {
    const node = parseNodePath(args.positionals[0]);
    if (node.participantId) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'ls lists down to participants; a participant has no children.', fix: 'Use `studydl ls <experimentId>/<roomId>`.' });
    const c = await openClient(args, ctx);
    const out = ctx.io.stdout;
    const onWait = waitNotice(ctx.io.stderr);
    try {
      if (!node.experimentId) {
        const { items, warnings } = await c.client.listExperiments({ search: stringFlag(args, 'search'), onWait });
        writeWarnings(ctx.io.stderr, warnings);
        if (ctx.json) writeJson(out, { experiments: items, warnings });
        else if (!items.length) write(out, 'No experiments are visible to this key.');
        else
          write(
            out,
            table<Experiment>(items, [
              { label: 'ID', value: (e) => e.id },
              { label: 'NAME', value: (e) => e.name },
              { label: 'ACCESS', value: (e) => e.origin },
              { label: 'ROOMS', value: (e) => e.roomCount },
              { label: 'PARTICIPANTS', value: (e) => e.participantCount },
              { label: 'CREATED', value: (e) => date(e.createdAt) },
            ]),
          );
      } else if (!node.roomId) {
        const { items, warnings } = await c.client.listRooms(node.experimentId, { onWait });
        writeWarnings(ctx.io.stderr, warnings);
        if (ctx.json) writeJson(out, { experimentId: node.experimentId, rooms: items, warnings });
        else if (!items.length) write(out, `Experiment ${node.experimentId} has no rooms yet.`);
        else
          write(
            out,
            table<Room>(items, [
              { label: 'ROOM', value: (r) => r.id },
              { label: 'DEPLOYMENT', value: (r) => r.deploymentName ?? r.deploymentId },
              { label: 'PARTICIPANTS', value: (r) => r.participantCount },
              { label: 'STATUS', value: (r) => r.status },
              { label: 'START', value: (r) => date(r.startTime) },
              { label: 'DURATION', value: (r) => (r.durationMs !== undefined ? humanDuration(r.durationMs / 1000) : ''), align: 'right' },
            ]),
          );
      } else {
        const { items, warnings } = await c.client.listParticipants('room', node.roomId, { onWait });
        writeWarnings(ctx.io.stderr, warnings);
        if (ctx.json) writeJson(out, { experimentId: node.experimentId, roomId: node.roomId, participants: items, warnings });
        else if (!items.length) write(out, `Room ${node.roomId} has no participants.`);
        else
          write(
            out,
            table<Participant>(items, [
              { label: 'PARTICIPANT', value: (p) => p.id },
              { label: 'NAME', value: (p) => p.name },
              { label: 'ROLE', value: (p) => p.role },
              { label: 'STATUS', value: (p) => p.status },
              { label: 'COMPLETION', value: (p) => p.completionCode },
              { label: 'JOINED', value: (p) => date(p.joinedAt) },
            ]),
          );
      }
      return EXIT.ok;
    } finally {
      await c.close();
    }
  },
};
