// Counters and a short request log. Statuses, bytes and injected faults are counted by the shared
// Counters (the shared Responder writes to it); the BrainSTEM-specific figures live beside it.
import { Counters } from '../counters';
import type { BrainstemCounters, RequestLogEntry } from './types';

const LOG_LIMIT = 2000;

type Extra = Omit<BrainstemCounters, 'byStatus' | 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'faults' | 'bytesApi' | 'bytesImages'>;

function emptyExtra(): Extra {
  return {
    requests: 0,
    byEndpoint: {},
    redirects: 0,
    withAuthorization: {},
    imageRequests: 0,
    imageRequestsWithAuthorization: 0,
    auth: { passwordLogins: 0, refreshes: 0, refreshesRejected: 0, legacyTokens: 0, deviceStarts: 0, devicePolls: 0 },
  };
}

export class BrainstemCounterSet {
  /** Shared with the Responder: statuses, bytes, faults, 429s. */
  readonly shared = new Counters();
  private extra = emptyExtra();
  private log: RequestLogEntry[] = [];

  apiRequest(template: string): void {
    this.extra.requests++;
    this.extra.byEndpoint[template] = (this.extra.byEndpoint[template] ?? 0) + 1;
  }

  imageRequest(withAuthorization: boolean): void {
    this.extra.imageRequests++;
    if (withAuthorization) this.extra.imageRequestsWithAuthorization++;
  }

  authorizationSeen(area: string): void {
    this.extra.withAuthorization[area] = (this.extra.withAuthorization[area] ?? 0) + 1;
  }

  redirect(): void {
    this.extra.redirects++;
  }

  auth(kind: keyof BrainstemCounters['auth']): void {
    this.extra.auth[kind]++;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  snapshot(): BrainstemCounters {
    const s = this.shared.snapshot();
    const extra = structuredClone(this.extra);
    return {
      requests: extra.requests,
      byEndpoint: extra.byEndpoint,
      byStatus: s.byStatus,
      unauthorized: s.byStatus['401'] ?? 0,
      forbidden: s.byStatus['403'] ?? 0,
      notFound: s.byStatus['404'] ?? 0,
      redirects: extra.redirects,
      rateLimited: s.rateLimited,
      faults: s.faults,
      bytesApi: s.bytesApi,
      withAuthorization: extra.withAuthorization,
      imageRequests: extra.imageRequests,
      bytesImages: s.bytesMedia,
      imageRequestsWithAuthorization: extra.imageRequestsWithAuthorization,
      auth: extra.auth,
    };
  }

  reset(): void {
    this.shared.reset();
    this.extra = emptyExtra();
    this.log = [];
  }
}
