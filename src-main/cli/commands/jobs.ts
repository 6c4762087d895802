// `studydl jobs`: the export queue and history with state, progress and output.
import { createJobManager, type JobManager } from '../../core/jobs/job-manager';
// The schema, not the store: conf's exit hook re-sends SIGINT, which would kill a Ctrl-C pause while it saves.
import { defaultSettings } from '../../core/settings/settings-schema';
import { EXIT, type CliContext, type Command } from '../command';
import { table, write, writeJson } from '../output';
import type { Source } from '../../core/sources/source';
import { StudyError } from '../../../src-shared/errors';

/** Problems with the jobs file (e.g. a damaged file set aside), on stderr so --json output stays clean. */
export function writeJobNotices(ctx: CliContext, manager: JobManager): void {
  for (const n of manager.notices()) write(ctx.io.stderr, `warning: ${n.message}${n.fix ? `\n  fix: ${n.fix}` : ''}`);
}

export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'List exports (running, paused, interrupted, failed, completed)',
  usage: 'studydl jobs [--json]',
  async run(_args, ctx) {
    // Listing needs no connection; a job that was running when its process died shows as interrupted.
    const manager = createJobManager({
      dataDir: ctx.configDir,
      getSource: async (): Promise<{ source: Source; sourceUrl: string }> => {
        throw new StudyError({ code: 'INTERNAL', message: 'Listing jobs does not run them.' });
      },
      getSettings: () => defaultSettings(),
      appVersion: '0.1.0',
      readOnly: true,
    });
    try {
      await manager.flush(); // a damaged file is set aside before anything is listed
      writeJobNotices(ctx, manager);
      const jobs = manager.list();
      if (ctx.json) {
        writeJson(ctx.io.stdout, jobs.map((j) => ({ ...j, outputPath: manager.outputPath(j.id) })));
        return EXIT.ok;
      }
      if (!jobs.length) {
        write(ctx.io.stdout, 'No downloads yet.');
        return EXIT.ok;
      }
      write(
        ctx.io.stdout,
        table(jobs, [
          { label: 'ID', value: (j) => j.id },
          {
            label: 'STATE',
            value: (j) =>
              j.state +
              (j.runningElsewhere ? ` (in pid ${j.runningElsewhere.pid} on ${j.runningElsewhere.host})` : j.resumable && j.state !== 'completed' ? ' (resumable)' : ''),
          },
          { label: 'PROGRESS', value: (j) => `${Math.round(j.progress.fraction * 100)}%` },
          { label: 'CREATED', value: (j) => j.createdAt.replace('T', ' ').slice(0, 19) },
          { label: 'TITLE', value: (j) => j.title },
          { label: 'OUTPUT', value: (j) => manager.outputPath(j.id) ?? (j.error ? `error: ${j.error.message}` : '') },
        ]),
      );
      return EXIT.ok;
    } finally {
      await manager.close();
    }
  },
};
