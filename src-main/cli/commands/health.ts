// `studydl health`: is the configured server reachable and the source's API, and what is left of the budget.
import type { Command } from '../command';
import { EXIT } from '../command';
import { openSource } from '../context';
import { waitNotice, write, writeJson } from '../output';

export const healthCommand: Command = {
  name: 'health',
  summary: 'Check that the server is reachable and is the source’s API (HyperStudy by default)',
  usage: 'studydl health [--source hyperstudy] [--base-url URL] [--json]',
  async run(args, ctx) {
    const c = await openSource(args, ctx);
    try {
      const h = await c.source.health({ onWait: waitNotice(ctx.io.stderr) });
      const budget = c.source.budget();
      if (ctx.json) writeJson(ctx.io.stdout, { source: c.source.id, baseUrl: c.source.baseUrl, ok: h.ok, version: h.version ?? null, budget });
      else {
        write(ctx.io.stdout, `${c.source.descriptor.label} API at ${c.source.baseUrl}: ${h.ok ? 'healthy' : 'NOT healthy'}${h.version ? ` (version ${h.version})` : ''}`);
        write(ctx.io.stdout, `Rate budget: ${budget.summary}`);
      }
      return h.ok ? EXIT.ok : EXIT.network;
    } finally {
      await c.close();
    }
  },
};
