// The simulator's HTTP servers: the API origin (routing, the request pipeline: latency → proxy
// faults → auth → rate limits → slow responses → handler → body faults, and the control route) and
// a separate storage origin (another port) that serves signed media URLs, as GCS does for the real API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyStore } from './auth';
import { Counters } from './counters';
import { Dataset } from './dataset/index';
import type { RecM } from './dataset/world';
import { endpointTemplate } from './endpoint-key';
import { errorBody, errors } from './envelope';
import { FaultState } from './faults';
import { Responder } from './respond';
import { RateLimiter } from './rate-limit';
import { UrlSigner } from './signing';
import type { ApiRequest, ApiResult, SimContext } from './context';
import { handleControl, type ControlApi } from './routes/control';
import { checkAccess, dataRoute } from './routes/data';
import { deploymentSessions, getDeployment, getExperiment, health, listDeployments, listExperiments, listSharedExperiments } from './routes/listing';
import { SignatureLedger, serveMedia } from './routes/media';
import { mintRoute, signedStorageUrl } from './routes/mint';
import { checkShapes, defaultShapes } from './shapes';
import type { ShapeConfig, SimOptions, Simulator } from './types';

export const API_PREFIX = '/api/v3';
export { defaultShapes };

function route(ctx: SimContext, req: ApiRequest): ApiResult {
  const s = req.segments;
  const n = s.length;
  if (n === 1 && s[0] === 'health') return health(ctx);
  if (s[0] === 'experiments') {
    if (n === 1) return listExperiments(ctx, req);
    if (n === 2 && s[1] === 'shared') return listSharedExperiments(ctx, req);
    if (n === 2) return getExperiment(ctx, req, s[1]);
  }
  if (s[0] === 'deployments') {
    if (n === 1) return listDeployments(ctx, req);
    if (n === 2) return getDeployment(ctx, req, s[1]);
    if (n === 3 && s[2] === 'sessions') return deploymentSessions(ctx, req, s[1]);
  }
  if (s[0] === 'data') {
    if (n === 4 && s[1] === 'check-access' && s[2] === 'experiment') return checkAccess(ctx, req, s[3]);
    if (n === 5 && s[1] === 'recordings' && s[2] === 'download') return mintRoute(ctx, req, s[3], s[4]);
    if (n === 5 && s[1] === 'ratings') return dataRoute(ctx, req, `ratings/${s[2]}`, s[3], s[4]);
    if (n === 4) return dataRoute(ctx, req, s[1], s[2], s[3]);
  }
  return { kind: 'error', error: errors.notFound(`Route not found: GET ${API_PREFIX}/${s.map(encodeURIComponent).join('/')}`) };
}

export class SimServer {
  readonly dataset: Dataset;
  readonly keys: KeyStore;
  readonly faults: FaultState;
  readonly counters = new Counters();
  readonly limiter: RateLimiter;
  shapes: ShapeConfig;
  private readonly signer = new UrlSigner();
  private readonly ledger = new SignatureLedger();
  private readonly server: Server;
  private readonly storage: Server;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly ctx: SimContext;
  private readonly respond: Responder;
  private readonly now: () => number;
  port = 0;
  storagePort = 0;

  constructor(private readonly opts: SimOptions = {}) {
    const seed = opts.seed ?? 1;
    this.now = opts.now ?? Date.now;
    this.shapes = { ...defaultShapes(), ...checkShapes(opts.shapes ?? {}) };
    const signedUrl = (rec: RecM) => signedStorageUrl(this.ctx, rec);
    this.dataset = new Dataset(opts.scale ?? 'tiny', seed, opts.mediaScale ?? 1, { shapes: () => this.shapes, signedUrl });
    this.keys = new KeyStore(seed);
    this.faults = new FaultState(seed, opts.faults, this.now);
    this.limiter = new RateLimiter({
      keyLimit: opts.keyLimit ?? 1000,
      keyWindowSec: opts.keyWindowSec ?? 3600,
      endpointLimit: opts.endpointLimit ?? 100,
      endpointWindowSec: opts.endpointWindowSec ?? 60,
    });
    const shapes = () => this.shapes;
    this.respond = new Responder(this.counters, shapes, this.now);
    this.ctx = {
      dataset: this.dataset,
      get shapes() {
        return shapes();
      },
      faults: this.faults,
      counters: this.counters,
      signer: this.signer,
      now: this.now,
      origin: () => this.origin,
      storageOrigin: () => this.storageOrigin,
      signedUrlTtlSec: opts.signedUrlTtlSec ?? 600,
    };
    const serve = (handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
      createServer((req, res) => {
        handle(req, res).catch((e) => {
          if (!res.headersSent) {
            const body = JSON.stringify(errorBody({ status: 500, code: 'INTERNAL_SERVER_ERROR', message: String(e?.message ?? e) }, this.shapes));
            res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
            res.end(body);
          } else res.destroy();
        });
      });
    this.server = serve((req, res) => this.handle(req, res));
    this.storage = serve((req, res) => this.handleStorage(req, res));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get storageOrigin(): string {
    return `http://127.0.0.1:${this.storagePort}`;
  }

  async listen(): Promise<void> {
    // Idle keep-alive sockets outlive the client's (undici: 4 s), so the client never reuses one
    // the server is closing: such races would look like injected resets.
    const listen = async (server: Server, port: number): Promise<number> => {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.opts.host ?? '127.0.0.1', () => resolve());
      });
      return (server.address() as AddressInfo).port;
    };
    this.port = await listen(this.server, this.opts.port ?? 0);
    try {
      this.storagePort = await listen(this.storage, this.opts.storagePort ?? 0);
    } catch (e) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      throw e;
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    const stop = (server: Server) =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await Promise.all([stop(this.server), stop(this.storage)]);
  }

  /** Sleeps, but wakes early when the client goes away or the simulator closes. */
  private sleep(ms: number, res: ServerResponse): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => done(), ms),
        resolve: () => done(),
      };
      const done = () => {
        clearTimeout(entry.timer);
        this.timers.delete(entry);
        res.off('close', done);
        resolve();
      };
      res.once('close', done);
      this.timers.add(entry);
    });
  }

  controlApi(): ControlApi {
    return {
      faults: () => this.faults.config(),
      setFaults: (p) => this.faults.set(p),
      addRules: (r) => this.faults.addRules(r),
      resetFaults: () => this.faults.reset(),
      shapes: () => ({ ...this.shapes }),
      setShapes: (p) => (this.shapes = { ...this.shapes, ...checkShapes(p) }),
      counters: () => this.counters.snapshot(),
      resetCounters: () => this.counters.reset(),
      resetRateLimits: () => this.limiter.reset(),
      resetAll: () => {
        this.faults.reset();
        this.shapes = defaultShapes();
        this.counters.reset();
        this.limiter.reset();
      },
      appendRecords: (type, experimentId, roomId, n, opts) => this.dataset.append(type, experimentId, roomId, n, opts),
      addRoom: (experimentId, opts) => this.dataset.addRoom(experimentId, opts),
      setRoomStatus: (roomId, status) => this.dataset.setRoomStatus(roomId, status),
      info: () => ({
        baseUrl: this.origin + API_PREFIX,
        storageOrigin: this.storageOrigin,
        scale: this.dataset.world.scale,
        seed: this.dataset.seed,
        orgId: this.dataset.world.orgId,
        limits: this.limiter.config,
      }),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/__sim' || path.startsWith('/__sim/')) return handleControl(this.controlApi(), req, res, path);
    if (path === API_PREFIX || path.startsWith(API_PREFIX + '/')) return this.handleApi(req, res, url);
    this.respond.error(res, errors.notFound(`Not found: ${path}`), null);
  }

  /** The storage origin: signed media URLs only (no key, no rate limit, no control route). */
  private async handleStorage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/storage/')) return this.handleMedia(req, res, url);
    this.respond.error(res, errors.notFound(`Not found: ${url.pathname}`), null);
  }

  private async handleMedia(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.counters.mediaRequest();
    const target = { path: url.pathname + url.search, template: '/storage', media: true };
    await this.sleep(this.faults.latency(), res);
    const pf = this.faults.proxy(target);
    if (pf) return this.respond.proxyFault(res, pf, true);
    const delay = this.faults.slow(target);
    if (delay > 0) {
      this.counters.fault('slow');
      await this.sleep(delay, res);
    }
    if (res.destroyed) return;
    const outcome = await serveMedia(this.ctx, this.ledger, req, res, url, this.faults.body(target));
    this.counters.status(outcome.status);
    this.counters.bytes('media', outcome.bytes);
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const startedAt = performance.now();
    const rawBelow = url.pathname.slice(API_PREFIX.length) || '/';
    const template = endpointTemplate(rawBelow);
    this.counters.apiRequest(template);
    const target = { path: url.pathname + url.search, template, media: false };
    await this.sleep(this.faults.latency(), res);
    const pf = this.faults.proxy(target);
    if (pf) return this.respond.proxyFault(res, pf, false);
    let segments: string[];
    try {
      segments = rawBelow.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    } catch {
      return this.respond.error(res, errors.invalid('path', rawBelow, 'a URL-encoded path'), null);
    }
    const header = req.headers['x-api-key'];
    const key = this.keys.lookup(Array.isArray(header) ? header[0] : header);
    // Every request needs a key, /health too (docs); healthWithoutKey answers it without one.
    if (!key && header === undefined && template === '/health' && req.method === 'GET' && this.shapes.healthWithoutKey) {
      const result = health(this.ctx);
      return this.respond.send(res, 200, { 'Content-Type': 'application/json; charset=utf-8' }, Buffer.from(JSON.stringify(result.kind === 'json' ? result.body : {})), this.faults.body(target), false);
    }
    if (!key) return this.respond.error(res, errors.unauthorized(this.shapes.authErrorCode), null);
    const decision = this.limiter.admit(key.key, template, this.now());
    if (!decision.ok) {
      this.counters.rateLimited(decision.scope);
      const which = decision.scope === 'key' ? `${decision.limit} requests per ${decision.windowSec} s for this API key` : `${decision.limit} requests per ${decision.windowSec} s for ${decision.endpoint}`;
      const e = errors.rateLimited(decision.retryAfterSec, { scope: decision.scope, limit: decision.limit, windowSec: decision.windowSec, endpoint: decision.endpoint });
      return this.respond.error(res, { ...e, message: `Rate limit exceeded (${which}). Retry after ${decision.retryAfterSec} seconds.` }, null);
    }
    const delay = this.faults.slow(target);
    if (delay > 0) {
      this.counters.fault('slow');
      await this.sleep(delay, res);
      if (res.destroyed) return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return this.respond.error(res, { status: 405, code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not supported by the simulator` }, null);
    }
    const org = req.headers['x-organization-id'];
    const apiReq: ApiRequest = { segments, query: url.searchParams, headers: req.headers, key, orgId: Array.isArray(org) ? org[0] : org, startedAt };
    const result = route(this.ctx, apiReq);
    const fault = this.faults.body(target);
    if (result.kind === 'error') return this.respond.error(res, result.error, fault);
    const body = result.kind === 'json' ? JSON.stringify(result.body) : result.body;
    const contentType = result.kind === 'json' ? 'application/json; charset=utf-8' : result.contentType;
    this.respond.send(res, result.status, { 'Content-Type': contentType, ...result.headers }, Buffer.from(body, 'utf8'), fault, req.method === 'HEAD');
  }

  simulator(): Simulator {
    const api = this.controlApi();
    return {
      origin: this.origin,
      storageOrigin: this.storageOrigin,
      baseUrl: this.origin + API_PREFIX,
      apiKey: this.keys.full.key,
      limitedKey: this.keys.limited.key,
      orgId: this.dataset.world.orgId,
      port: this.port,
      controlUrl: `${this.origin}/__sim`,
      setFaults: api.setFaults,
      resetFaults: api.resetFaults,
      faults: api.faults,
      setShapes: api.setShapes,
      resetShapes: () => (this.shapes = defaultShapes()),
      shapes: api.shapes,
      counters: api.counters,
      resetCounters: api.resetCounters,
      resetRateLimits: api.resetRateLimits,
      dataset: this.dataset.accessor(),
      appendRecords: api.appendRecords,
      addRoom: api.addRoom,
      setRoomStatus: api.setRoomStatus,
      close: () => this.close(),
    };
  }
}
