// `studydl export <level> <id> …` (HyperStudy: experiment, room, participant): a whole export as a job, with a progress
// bar on a terminal, JSON lines with --json, plain lines otherwise; prints the final path.
// Ctrl-C PAUSES the job (its checkpoints stay on disk): `studydl resume <jobId>` continues it,
// `studydl jobs` lists it. A second Ctrl-C quits at once (still resumable: pages are atomic).
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import { openStudyCodeBook, writeCodeMapCsv } from '../../core/export/anonymize/code-book';
import { isInside } from '../../core/registry/output-registry';
import type { AnonymizeMode, ExportFormat, ExportRequest, FormulaCellsSummary, JobProgress, JobSnapshot, SourceId, SplitMode } from '../../../src-shared/model';
import { createJobManager, type JobManager } from '../../core/jobs/job-manager';
// The schema, not the store: conf's exit hook re-sends SIGINT, which would kill a Ctrl-C pause while it saves.
import { defaultSettings } from '../../core/settings/settings-schema';
import { checkSplit, checkTarget, levelChain } from '../../core/sources/check-ids';
import { DEFAULT_SOURCE_ID } from '../../core/sources/registry';
import type { SourceModule } from '../../core/sources/source';
import { booleanFlag, stringFlag } from '../args';
import { EXIT, exitCodeFor, type CliContext, type Command, type ParsedArgs } from '../command';
import { openSource, type CliSource } from '../context';
import { chooseModule, idsPattern, parseTarget, parseTypes } from '../level-path';
import { humanBytes, humanDuration, write, writeJsonLine, writeLine } from '../output';
import { terminalSafe } from '../terminal-text';
import { writeJobNotices } from './jobs';

const APP_VERSION = '0.1.0';

function usage(message: string, fix: string): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw usage(`--${name} "${v}" is not one of ${allowed.join(', ')}.`, `Use --${name} ${allowed.join('|')}.`);
  return v as T;
}

function isoFlag(args: ParsedArgs, name: string): string | undefined {
  const v = stringFlag(args, name);
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw usage(`--${name} "${v}" is not a date.`, 'Use ISO 8601, e.g. 2024-06-15 or 2024-06-15T10:00:00Z.');
  return v;
}

function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usage(`--${name} must be a whole number from ${min} to ${max}.`, `e.g. --${name} ${min}`);
  return n;
}

/** The ExportRequest these flags describe, for a source. */
export function exportRequestFromArgs(args: ParsedArgs, module: SourceModule, cwd = process.cwd()): ExportRequest {
  const d = module.descriptor;
  const target = parseTarget(args, d, 'export', module.standaloneLevels);
  if (target.path[0]?.id === '-' && !module.standaloneLevels?.includes(target.level)) {
    const root = d.levels.find((l) => l.id === target.path[0].level)!;
    const chain = levelChain(d, target.level);
    throw usage(`The export needs the ${root.singular} id too.`, `Add --${root.id} <${root.id}Id>, or give the path form ${idsPattern(chain)}.`);
  }
  checkTarget(d, target);
  const anonymize = choice<AnonymizeMode>(args, 'anonymize', d.anonymization, 'keep');
  codeMapFile(args, anonymize);
  const out = stringFlag(args, 'out');
  return {
    target,
    types: parseTypes(stringFlag(args, 'types'), module, 'export', target.level),
    format: choice<ExportFormat>(args, 'format', ['csv', 'json', 'ndjson'], 'csv'),
    zip: booleanFlag(args, 'zip'),
    split: choice<SplitMode>(args, 'split', ['none', ...d.splits.map((x) => x.id)], 'none'),
    anonymize,
    ...(isoFlag(args, 'since') ? { since: isoFlag(args, 'since') } : {}),
    ...(isoFlag(args, 'until') ? { until: isoFlag(args, 'until') } : {}),
    includeRecordings: booleanFlag(args, 'recordings'),
    bom: args.flags.bom === undefined ? true : booleanFlag(args, 'bom'),
    formulaProtection: booleanFlag(args, 'formula-protection'),
    destination: path.resolve(cwd, out ?? '.'),
  };
}

/**
 * `--code-map FILE`: where to save the study's `participantId,code` map after a pseudonymized
 * export (outside the export: the map re-identifies participants). Undefined when not asked.
 */
export function codeMapFile(args: ParsedArgs, anonymize: AnonymizeMode, cwd = process.cwd()): string | undefined {
  const v = args.flags['code-map'];
  if (v === undefined || v === false) return undefined;
  if (v === true || v === '') throw usage('--code-map needs the file to write the code map to.', 'e.g. --code-map ~/private/emotion-study-codes.csv (keep it apart from the data you share).');
  if (anonymize !== 'pseudonymize') throw usage('--code-map only goes with --anonymize pseudonymize.', 'Add --anonymize pseudonymize, or leave out --code-map.');
  return path.resolve(cwd, String(v));
}

/** Where every study's code map lives for the CLI and the app alike. */
export const codeMapDirFor = (ctx: CliContext) => path.join(ctx.configDir, 'code-maps');

/**
 * Saves the study's code map (every participant coded so far, in code order) to `file`,
 * refusing a place inside the export itself. One map per source and root item (the study).
 */
export async function saveCodeMap(ctx: CliContext, study: { source: SourceId; id: string }, file: string, outputPath: string | null): Promise<number> {
  if (outputPath && isInside(outputPath, file)) {
    throw usage(`The code map would be written inside the export (${outputPath}).`, 'Choose a file outside the export folder, so the map never travels with the data.');
  }
  const book = await openStudyCodeBook({ dir: codeMapDirFor(ctx), source: study.source, studyId: study.id });
  const entries = book.entries();
  writeCodeMapCsv(file, entries);
  return entries.length;
}

/** A job manager for this CLI run: job state under the config dir, the CLI's source. */
export function cliJobManager(ctx: CliContext, args: ParsedArgs, c: CliSource): JobManager {
  const settings = {
    ...defaultSettings(),
    concurrency: intFlag(args, 'concurrency', 1, 16) ?? 4,
    mediaConcurrency: intFlag(args, 'media-concurrency', 1, 8) ?? 3,
  };
  return createJobManager({
    dataDir: ctx.configDir,
    getSource: async () => ({ source: c.source, sourceUrl: c.connection.baseUrl }),
    getSettings: () => settings,
    appVersion: APP_VERSION,
    codeMaps: { dir: codeMapDirFor(ctx) },
    syncStoresDir: path.join(ctx.configDir, 'sync-stores'),
  });
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '[' + '#'.repeat(full) + '-'.repeat(width - full) + ']';
}

function progressLine(p: JobProgress): string {
  const parts = [`${bar(p.fraction)} ${(p.fraction * 100).toFixed(0).padStart(3)}%`, p.step];
  if (p.bytesTotal > 0) parts.push(`${humanBytes(p.bytesDone)} / ${humanBytes(p.bytesTotal)}`);
  parts.push(`requests ${p.requestsUsed}/${p.requestsPlanned}`);
  if (p.etaSeconds !== null && p.phase !== 'done') parts.push(`ETA ${humanDuration(p.etaSeconds)}`);
  return parts.join('  ');
}

/** One line on formula-looking CSV cells: how many, where, and what to do before opening them in a spreadsheet. */
export function formulaNote(f: FormulaCellsSummary): string {
  const where = f.files.map((x) => `${x.path} ${x.cells}`).join(', ');
  const many = `${f.total} text cell${f.total === 1 ? '' : 's'} in ${f.files.length} file${f.files.length === 1 ? '' : 's'} (${where})`;
  return f.protected
    ? `note: ${many} started with = + - @ and got a leading ' (formula protection), so spreadsheets show them as text.`
    : `note: ${many} start with = + - @; a spreadsheet may run them as formulas. The values are kept as recorded (right for R, Python, SPSS); to open the files in a spreadsheet, export again with --formula-protection.`;
}

/**
 * Follows a job until it settles, rendering progress; returns the exit code.
 * SIGINT pauses it (resumable), a second SIGINT exits at once.
 */
export async function followJob(ctx: CliContext, manager: JobManager, jobId: string, after?: { codeMap?: string }): Promise<number> {
  const { stdout, stderr } = ctx.io;
  let lastPlain = 0;
  let lastPhase = '';
  let drewBar = false;
  const offProgress = manager.on('progress', (p) => {
    if (p.jobId !== jobId) return;
    if (ctx.json) {
      writeJsonLine(stdout, { event: 'progress', ...p });
    } else if (ctx.io.isTTY) {
      // Our own escape (return, clear line) around a line that holds server text (the step): made safe first.
      stdout.write('\r\x1b[2K' + terminalSafe(progressLine(p), { singleLine: true }).slice(0, 200));
      drewBar = true;
    } else {
      const now = Date.now();
      if (p.phase !== lastPhase || now - lastPlain >= 5000) {
        lastPhase = p.phase;
        lastPlain = now;
        write(stdout, progressLine(p));
      }
    }
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      write(stderr, `\nPausing… (the download is kept; continue it with: studydl resume ${jobId})`);
      void manager.pause(jobId);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  let final: JobSnapshot;
  try {
    final = await manager.settled(jobId);
  } finally {
    process.off('SIGINT', onSigint);
    offProgress();
    if (drewBar) stdout.write('\n');
  }
  const outputPath = manager.outputPath(jobId);
  if (ctx.json) {
    writeJsonLine(stdout, { event: 'done', jobId, state: final.state, ...(outputPath ? { path: outputPath } : {}), ...(final.manifest ? { manifest: final.manifest } : {}), ...(final.sync ? { sync: final.sync } : {}), ...(final.error ? { error: final.error } : {}) });
  }
  switch (final.state) {
    case 'completed': {
      if (after?.codeMap) {
        const n = await saveCodeMap(ctx, { source: final.source ?? DEFAULT_SOURCE_ID, id: final.request.target.path[0]?.id ?? '' }, after.codeMap, outputPath);
        if (ctx.json) writeJsonLine(stdout, { event: 'code-map', path: after.codeMap, participants: n });
        else writeLine(stderr, `Code map (${n} participant${n === 1 ? '' : 's'}) saved to ${after.codeMap}. Keep it apart from the data you share.`);
      }
      if (!ctx.json) {
        for (const w of final.manifest?.warnings ?? []) writeLine(stderr, `warning: ${w}`);
        const formulas = final.manifest?.formulaCells;
        if (formulas?.total) writeLine(stderr, formulaNote(formulas));
        write(stdout, outputPath ?? final.outputName ?? '');
      }
      return EXIT.ok;
    }
    case 'paused':
    case 'interrupted':
      if (!ctx.json) write(stderr, `Paused. Continue with: studydl resume ${jobId}`);
      return 130;
    case 'cancelled':
      if (!ctx.json) write(stderr, 'Cancelled; nothing was left behind.');
      return EXIT.failure;
    default: {
      const e = final.error;
      if (!ctx.json && e) {
        writeLine(stderr, `error: ${e.message}`);
        if (e.fix) writeLine(stderr, `  fix: ${e.fix}`);
        write(stderr, `  The download can be continued with: studydl resume ${jobId}`);
      }
      return e ? exitCodeFor(e.code) : EXIT.failure;
    }
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Download data (and recordings) to a folder or ZIP, as a resumable job',
  usage:
    'studydl export <level> <id> (HyperStudy: experiment <id> | room <roomId> --experiment <id> | participant <id> --room <roomId> --experiment <id>; BrainSTEM: project <id> | session <id> | subject <id>) --types …|all [--format csv|json|ndjson] [--zip] [--split none|room|participant] [--anonymize keep|pseudonymize|aggregate] [--code-map FILE] [--since ISO] [--until ISO] [--recordings] [--bom/--no-bom] [--formula-protection] [--out DIR] [--concurrency N] [--media-concurrency N] [--json]   (Ctrl-C pauses; `studydl resume <jobId>` continues)',
  async run(args, ctx) {
    const module = await chooseModule(args, ctx);
    const request = exportRequestFromArgs(args, module);
    checkSplit(module.descriptor, request.split);
    const codeMap = codeMapFile(args, request.anonymize);
    const c = await openSource(args, ctx);
    const manager = cliJobManager(ctx, args, c);
    try {
      await manager.flush();
      writeJobNotices(ctx, manager);
      const job = await manager.start(request, { source: c.source.id, ...(c.profileId ? { profileId: c.profileId } : {}) });
      if (ctx.json) writeJsonLine(ctx.io.stdout, { event: 'started', jobId: job.id, title: job.title });
      else writeLine(ctx.io.stderr, `Job ${job.id}: ${job.title}`);
      return await followJob(ctx, manager, job.id, codeMap ? { codeMap } : undefined);
    } finally {
      await manager.close();
      await c.close();
    }
  },
};
