// `studydl health`: is the configured server a reachable HyperStudy API, and what is left of the budget.
import type { Command } from '../command';
import { EXIT } from '../command';
import { openClient } from '../context';
import { waitNotice, write, writeJson } from '../output';

export const healthCommand: Command = {
  name: 'health',
  summary: 'Check that the server is a reachable HyperStudy API',
  usage: 'studydl health [--base-url URL] [--json]',
  async run(args, ctx) {
    const c = await openClient(args, ctx);
    try {
      const h = await c.client.health({ onWait: waitNotice(ctx.io.stderr) });
      const budget = c.client.budget();
      if (ctx.json) writeJson(ctx.io.stdout, { baseUrl: c.client.baseUrl, ok: h.ok, version: h.version ?? null, budget });
      else {
        write(ctx.io.stdout, `HyperStudy API at ${c.client.baseUrl}: ${h.ok ? 'healthy' : 'NOT healthy'}${h.version ? ` (version ${h.version})` : ''}`);
        write(ctx.io.stdout, `Rate budget: ${budget.summary}`);
      }
      return h.ok ? EXIT.ok : EXIT.network;
    } finally {
      await c.close();
    }
  },
};
