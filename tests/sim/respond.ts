// Writes API and proxy-style responses, applying body faults (truncation, resets) and counting
// statuses, bytes and injected faults.
import type { ServerResponse } from 'node:http';
import type { Counters } from './counters';
import { errorBody, errors, htmlErrorPage, type ApiError } from './envelope';
import type { BodyFault, ProxyFault } from './faults';
import type { ShapeConfig } from './types';

export class Responder {
  constructor(
    private readonly counters: Counters,
    private readonly shapes: () => ShapeConfig,
    private readonly now: () => number,
  ) {}

  proxyFault(res: ServerResponse, pf: ProxyFault, media: boolean): void {
    if (pf.kind === 'rate429') {
      this.counters.rateLimited(pf.cause);
      this.counters.fault(pf.cause === 'storm' ? 'storm' : 'rate429');
      const header = pf.asDate ? new Date(this.now() + pf.retryAfterSec * 1000).toUTCString() : String(pf.retryAfterSec);
      return this.error(res, errors.rateLimited(pf.retryAfterSec, { scope: 'server', reason: pf.cause }, header), null, media);
    }
    this.counters.fault(pf.kind);
    if (pf.kind === 'html') {
      return this.send(res, pf.status, { 'Content-Type': 'text/html' }, Buffer.from(htmlErrorPage(pf.status)), null, false, media);
    }
    this.error(res, errors.server(pf.status), null, media);
  }

  error(res: ServerResponse, e: ApiError, fault: BodyFault | null, media = false): void {
    const body = Buffer.from(JSON.stringify(errorBody(e, this.shapes())), 'utf8');
    this.send(res, e.status, { 'Content-Type': 'application/json; charset=utf-8', ...e.headers }, body, fault, false, media);
  }

  send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer, fault: BodyFault | null, head: boolean, media = false): void {
    if (res.destroyed) return;
    this.counters.status(status);
    const account = (n: number) => this.counters.bytes(media ? 'media' : 'api', n);
    if (fault?.kind === 'truncate') {
      this.counters.fault('truncate');
      const cut = body.subarray(0, Math.floor(body.length / 2));
      res.writeHead(status, { ...headers, 'Content-Length': cut.length });
      res.end(head ? undefined : cut);
      return account(head ? 0 : cut.length);
    }
    if (fault?.kind === 'reset') {
      this.counters.fault('reset');
      const n = Math.min(body.length, fault.afterBytes ?? Math.floor(body.length / 2));
      res.writeHead(status, { ...headers, 'Content-Length': body.length });
      res.write(body.subarray(0, n), () => res.destroy());
      return account(n);
    }
    res.writeHead(status, { ...headers, 'Content-Length': body.length });
    res.end(head ? undefined : body);
    account(head ? 0 : body.length);
  }
}
