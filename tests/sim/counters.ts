// Request, status, 429 and byte counters, readable in-process and from the control route.
import type { SimCounters } from './types';

export function emptyCounters(): SimCounters {
  return {
    requests: 0,
    byEndpoint: {},
    byStatus: {},
    rateLimited: 0,
    rateLimitedBy: { key: 0, endpoint: 0, storm: 0, rule: 0 },
    faults: {},
    bytesApi: 0,
    bytesMedia: 0,
    mediaRequests: 0,
    mints: 0,
  };
}

export class Counters {
  private c = emptyCounters();
  snapshot(): SimCounters {
    return structuredClone(this.c);
  }
  reset(): void {
    this.c = emptyCounters();
  }
  apiRequest(template: string): void {
    this.c.requests++;
    this.c.byEndpoint[template] = (this.c.byEndpoint[template] ?? 0) + 1;
  }
  mediaRequest(): void {
    this.c.mediaRequests++;
  }
  mint(): void {
    this.c.mints++;
  }
  status(code: number): void {
    this.c.byStatus[code] = (this.c.byStatus[code] ?? 0) + 1;
  }
  rateLimited(cause: keyof SimCounters['rateLimitedBy']): void {
    this.c.rateLimited++;
    this.c.rateLimitedBy[cause]++;
  }
  fault(kind: string): void {
    this.c.faults[kind] = (this.c.faults[kind] ?? 0) + 1;
  }
  bytes(kind: 'api' | 'media', n: number): void {
    if (kind === 'api') this.c.bytesApi += n;
    else this.c.bytesMedia += n;
  }
}
