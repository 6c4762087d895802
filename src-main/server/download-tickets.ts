// One-time download tickets: the page asks for one over its authenticated WebSocket and puts
// it in the download link, so the link works without a cookie, and a ticket that ends up in
// the browser's download history is worthless: bound to one job, usable once, expired soon.
import { randomBytes } from 'node:crypto';

export interface TicketBook {
  issue(jobId: string): string;
  /** True once for a live ticket issued for this job; the ticket is spent either way. */
  redeem(ticket: string, jobId: string): boolean;
  readonly size: number;
}

export interface TicketBookOptions {
  /** How long a ticket stays valid; default 60 s (the link is used right after it is minted). */
  ttlMs?: number;
  /** Most live tickets kept; the oldest are dropped beyond it. */
  max?: number;
  now?: () => number;
}

export function createTicketBook(opts: TicketBookOptions = {}): TicketBook {
  const ttl = opts.ttlMs ?? 60_000;
  const max = opts.max ?? 64;
  const now = opts.now ?? Date.now;
  const live = new Map<string, { jobId: string; expires: number }>();

  const prune = () => {
    const t = now();
    for (const [k, v] of live) if (v.expires <= t) live.delete(k);
    // Map keeps insertion order: the first keys are the oldest
    for (const k of live.keys()) {
      if (live.size < max) break;
      live.delete(k);
    }
  };

  return {
    issue(jobId) {
      prune();
      const ticket = randomBytes(32).toString('base64url');
      live.set(ticket, { jobId, expires: now() + ttl });
      return ticket;
    },
    redeem(ticket, jobId) {
      const entry = live.get(ticket);
      if (!entry) return false;
      live.delete(ticket);
      return entry.jobId === jobId && entry.expires > now();
    },
    get size() {
      return live.size;
    },
  };
}
