// `studydl resume <jobId>`: continues a paused, interrupted (crash, kill -9, restart) or failed
// export from its checkpoints; the result is the same as an uninterrupted run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StudyError } from '../../../src-shared/errors';
import { parseJobsFile } from '../../core/jobs/job-file';
import { JOBS_FILE_NAME } from '../../core/jobs/job-store';
import { stringFlag } from '../args';
import type { Command } from '../command';
import { openSource } from '../context';
import { write, writeLine } from '../output';
import { cliJobManager, codeMapFile, followJob } from './export';
import { writeJobNotices } from './jobs';

/** The source a saved job reads, from the jobs file (undefined: unknown here; the job manager says so later). */
async function jobSource(configDir: string, jobId: string): Promise<string | undefined> {
  try {
    return parseJobsFile(await readFile(path.join(configDir, JOBS_FILE_NAME), 'utf8')).jobs.get(jobId)?.snapshot.source;
  } catch {
    return undefined;
  }
}

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Continue a paused, interrupted or failed export',
  usage: 'studydl resume <jobId> [--code-map FILE] [--json]',
  async run(args, ctx) {
    const [jobId] = args.positionals;
    if (!jobId) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'Say which download to continue.', fix: 'Run `studydl jobs` to see the ids.' });
    // The job's own source, unless --source says otherwise (a BrainSTEM job resumes against BrainSTEM).
    const source = stringFlag(args, 'source') ?? (await jobSource(ctx.configDir, jobId));
    const c = await openSource(source ? { ...args, flags: { ...args.flags, source } } : args, ctx);
    const manager = cliJobManager(ctx, args, c);
    try {
      await manager.flush();
      writeJobNotices(ctx, manager);
      const job = manager.get(jobId);
      if (!job) throw new StudyError({ code: 'NOT_FOUND', message: `There is no download with id ${jobId}.`, fix: 'Run `studydl jobs` to see the ids.' });
      const codeMap = codeMapFile(args, job.request.anonymize);
      if (job.state === 'completed') {
        write(ctx.io.stdout, manager.outputPath(jobId) ?? job.outputName ?? '');
        return 0;
      }
      if (job.state === 'running' || job.state === 'queued' || job.state === 'waiting') {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'This download is still running in another studydl or app window.', fix: 'Wait for it, or pause it there; then resume it here.' });
      }
      if (job.state === 'cancelled') await manager.retry(jobId);
      else await manager.resume(jobId);
      if (!ctx.json) writeLine(ctx.io.stderr, `Resuming ${jobId}: ${job.title}`);
      return await followJob(ctx, manager, jobId, codeMap ? { codeMap } : undefined);
    } finally {
      await manager.close();
      await c.close();
    }
  },
};
