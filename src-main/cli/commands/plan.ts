// `studydl plan <experiment|room|participant> <id> --types …`: what an export would fetch,
// how many requests it costs, and how long the rate limits make it take. Read-only.
import { StudyError } from '../../../src-shared/errors';
import type { DataTypeId, PlannedStream, Target } from '../../../src-shared/model';
import { createPlan } from '../../core/plan/planner';
import { dataTypes, isDataTypeId } from '../../core/sources/hyperstudy/descriptors';
import type { Command, ParsedArgs } from '../command';
import { EXIT } from '../command';
import { booleanFlag, stringFlag } from '../args';
import { openClient } from '../context';
import { humanBytes, humanDuration, humanNumber, table, waitNotice, write, writeJson, writeWarnings } from '../output';
import { parseNodePath } from './ls';

const ALIASES: Record<string, DataTypeId> = {
  textchat: 'chat',
  'ratings/continuous': 'ratings-continuous',
  continuous: 'ratings-continuous',
  'ratings/sparse': 'ratings-sparse',
  sparse: 'ratings-sparse',
  'video-chat': 'videochat',
  gaze: 'eyetracking',
};

function usage(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

/** `all`, or a comma list of type ids (aliases accepted; `ratings` means both kinds). */
export function parseTypes(raw: string | undefined): DataTypeId[] {
  const valid = dataTypes.map((d) => d.id).join(', ');
  if (!raw) throw usage('Say which data types to plan with --types.', `Use --types all, or a comma list of: ${valid}.`);
  const out: DataTypeId[] = [];
  for (const t of raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (t === 'all') out.push(...dataTypes.map((d) => d.id));
    else if (t === 'ratings') out.push('ratings-continuous', 'ratings-sparse');
    else if (isDataTypeId(t)) out.push(t);
    else if (ALIASES[t]) out.push(ALIASES[t]);
    else throw usage(`"${t}" is not a data type.`, `Use --types all, or a comma list of: ${valid}.`);
  }
  return [...new Set(out)];
}

function isoFlag(args: ParsedArgs, name: string): string | undefined {
  const v = stringFlag(args, name);
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw usage(`--${name} "${v}" is not a date.`, 'Use ISO 8601, e.g. 2024-06-15 or 2024-06-15T10:00:00Z.');
  return v;
}

/** The target from `<level> <id>` plus --experiment/--room, or a path `exp/room/participant`. */
export function parseTarget(args: ParsedArgs): Target {
  const [level, idArg] = args.positionals;
  if (level !== 'experiment' && level !== 'room' && level !== 'participant') {
    throw usage(level ? `"${level}" is not a level.` : 'Say what to plan.', 'Use `studydl plan experiment <id>`, `plan room <roomId>` or `plan participant <id> --room <roomId>`.');
  }
  if (!idArg) throw usage(`Give the ${level} id.`, `e.g. studydl plan ${level} <id> --types events`);
  const path = parseNodePath(idArg);
  const flagExp = stringFlag(args, 'experiment');
  const flagRoom = stringFlag(args, 'room');
  if (level === 'experiment') return { level, experimentId: path.experimentId! };
  if (level === 'room') {
    // `room <roomId>` or `room <exp>/<room>`
    const roomId = path.roomId ?? path.experimentId!;
    const experimentId = path.roomId ? path.experimentId! : (flagExp ?? '-');
    return { level, experimentId, roomId };
  }
  // participant: `<pid> --room R`, or `<exp>/<room>/<pid>`
  const participantId = path.participantId ?? path.experimentId!;
  const roomId = path.participantId ? path.roomId : flagRoom;
  if (!roomId) throw usage('Participant data needs the participant’s room.', 'Add --room <roomId> (list rooms with `studydl ls <experimentId>`).');
  const experimentId = path.participantId ? path.experimentId! : (flagExp ?? '-');
  return { level, experimentId, roomId, participantId };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what an export would fetch: streams, requests and estimated time',
  usage: 'studydl plan <experiment|room|participant> <id> [--room <roomId>] [--experiment <id>] --types events,chat,…|all [--since ISO] [--until ISO] [--recordings] [--json]',
  async run(args, ctx) {
    const target = parseTarget(args);
    const types = parseTypes(stringFlag(args, 'types'));
    const since = isoFlag(args, 'since');
    const until = isoFlag(args, 'until');
    const c = await openClient(args, ctx);
    try {
      const { plan } = await createPlan(c.client, { target, types, since, until, includeRecordings: booleanFlag(args, 'recordings') }, { onWait: waitNotice(ctx.io.stderr) });
      if (ctx.json) {
        writeJson(ctx.io.stdout, plan);
        return EXIT.ok;
      }
      writeWarnings(ctx.io.stderr, plan.warnings);
      const out = ctx.io.stdout;
      write(
        out,
        table<PlannedStream>(plan.streams, [
          { label: 'TYPE', value: (s) => s.type },
          { label: 'SCOPE', value: (s) => s.scope },
          { label: 'ID', value: (s) => s.scopeId + (s.roomId ? ` (room ${s.roomId})` : '') },
          { label: 'RECORDS', value: (s) => s.total },
          { label: 'REQUESTS', value: (s) => s.requests },
        ]),
      );
      const lines = [
        `Records:        ${humanNumber(plan.records)}`,
        `Requests:       ${humanNumber(plan.requestsNeeded)} (data ${humanNumber(plan.requestsNeeded - plan.listingRequests - plan.mediaRequests)}, listings ${humanNumber(plan.listingRequests)}, media links ${humanNumber(plan.mediaRequests)}); ${humanNumber(plan.requestsSpentPlanning)} already spent planning`,
      ];
      if (plan.mediaFiles || booleanFlag(args, 'recordings')) lines.push(`Media:          ${humanNumber(plan.mediaFiles)} files, ${humanBytes(plan.mediaBytes)}`);
      lines.push(`Estimated time: ${humanDuration(plan.estimatedSeconds)} (rate limits)`, `Rate budget:    ${plan.budget.summary}`);
      write(out, lines.join('\n'));
      return EXIT.ok;
    } finally {
      await c.close();
    }
  },
};
