// The BrainSTEM simulator's two HTTP servers: the API origin (/api, the device authorization page,
// the /__sim control routes) and a separate image origin. The API pipeline follows Django + DRF:
// latency → proxy faults (5xx, HTML, 429) → URL resolution (301 to add a missing trailing slash,
// HTML 404 when nothing resolves) → authentication → permission → method → slow → view → body faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { htmlErrorPage } from '../envelope';
import { FaultState, type ProxyFault } from '../faults';
import { Responder } from '../respond';
import { defaultShapes as hyperstudyShapes } from '../server';
import { Sleeper } from '../sleeper';
import type { FaultConfig } from '../types';
import { DeviceFlow } from './auth/device';
import { TokenStore } from './auth/tokens';
import { browsablePage, wantsHtml } from './browsable';
import { BrainstemCounterSet } from './counters';
import { World } from './data/generate';
import type { Row } from './data/store';
import { Visibility } from './data/visibility';
import { defaultShapes } from './envelope';
import { djangoNotFoundPage, drf, DrfError } from './errors';
import { authRoute } from './routes/auth';
import { authorizeGet, authorizePost } from './routes/authorize';
import type { BsContext, BsRequest, BsResult, RequestBody, Route } from './routes/context';
import { BRAINSTEM_CONTROL_ROUTES, handleControl, type ControlApi } from './routes/control';
import { serveImage } from './routes/images';
import { matchRoute } from './routes/match';
import { getRecord, listRecords, relatedRecords } from './routes/records';
import { modelSpec } from './models';
import { Serializer } from './serialize';
import { APPENDABLE, type BrainstemOptions, type BrainstemShapes, type BrainstemSimulator, type JsonRecord, type RequestLogEntry, type SimUser } from './types';

export const API_PREFIX = '/api';
const BODY_LIMIT = 1 << 20;

function authorizationKind(h: string | undefined): RequestLogEntry['authorization'] {
  if (h === undefined) return 'none';
  return /^Bearer\s/.test(h) ? 'bearer' : 'other';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > BODY_LIMIT) throw new DrfError(413, { detail: 'Request body too large.' });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(buf: Buffer, contentType: string | undefined): RequestBody {
  if (buf.length === 0) return { kind: 'ok', data: {} };
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/x-www-form-urlencoded') return { kind: 'ok', data: Object.fromEntries(new URLSearchParams(buf.toString('utf8'))) };
  if (ct !== 'application/json' && !ct.endsWith('+json')) return { kind: 'unsupported', contentType: ct || 'none' };
  try {
    const v = JSON.parse(buf.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { kind: 'not-object', type: Array.isArray(v) ? 'list' : v === null ? 'NoneType' : typeof v === 'string' ? 'str' : typeof v };
    return { kind: 'ok', data: v };
  } catch (e) {
    return { kind: 'parse-error', message: e instanceof Error ? e.message : String(e) };
  }
}

export class BrainstemServer {
  readonly faults: FaultState;
  readonly counters = new BrainstemCounterSet();
  shapes: BrainstemShapes;
  world!: World;
  tokens!: TokenStore;
  device!: DeviceFlow;
  token = '';
  otherToken = '';
  private readonly api: Server;
  private readonly images: Server;
  private readonly respond: Responder;
  private readonly sleeper = new Sleeper();
  private readonly now: () => number;
  private readonly seed: number;
  port = 0;
  imagesPort = 0;

  constructor(private readonly opts: BrainstemOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.now = opts.now ?? Date.now;
    this.faults = new FaultState(this.seed, opts.faults, this.now);
    this.shapes = { ...defaultShapes(), ...opts.shapes };
    // The shared Responder only writes bodies here (send, proxy HTML); its HyperStudy error envelope is not used.
    this.respond = new Responder(this.counters.shared, hyperstudyShapes, this.now);
    const guard = (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
      fn(req, res).catch((e) => {
        if (res.headersSent) return res.destroy();
        const body = JSON.stringify({ detail: `Simulator error: ${e instanceof Error ? e.message : String(e)}` });
        res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
    };
    this.api = createServer(guard((req, res) => this.handle(req, res)));
    this.images = createServer(guard((req, res) => this.handleImage(req, res)));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get imagesOrigin(): string {
    return `http://127.0.0.1:${this.imagesPort}`;
  }

  private static listenOn(server: Server, port: number): Promise<number> {
    // Idle keep-alive sockets outlive undici's (4 s) so the client never reuses one being closed.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }

  async listen(): Promise<void> {
    // The images origin first: the generated records carry its URLs.
    this.imagesPort = await BrainstemServer.listenOn(this.images, this.opts.imagesPort ?? 0);
    this.world = new World(this.opts.scale ?? 'tiny', this.seed, this.imagesOrigin);
    this.tokens = new TokenStore(this.seed, this.world.users, this.now);
    this.device = new DeviceFlow(this.seed, this.now);
    this.token = this.tokens.issuePat(this.world.users[0].id).token;
    this.otherToken = this.tokens.issuePat(this.world.users[1].id).token;
    try {
      this.port = await BrainstemServer.listenOn(this.api, this.opts.port ?? 0);
    } catch (e) {
      await new Promise<void>((resolve) => this.images.close(() => resolve()));
      throw e;
    }
  }

  async close(): Promise<void> {
    this.sleeper.wakeAll();
    await Promise.all(
      [this.api, this.images].map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  private ctx(): BsContext {
    return { world: this.world, tokens: this.tokens, device: this.device, counters: this.counters, shapes: this.shapes, origin: this.origin };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    if (path === '/__sim' || path.startsWith('/__sim/')) return handleControl(this.controlApi(), req, res, path);
    if (path === API_PREFIX || path.startsWith(API_PREFIX + '/')) return this.handleApi(req, res, url);
    if (path === '/account/authorize/' || path === '/account/authorize') return this.handleAuthorizePage(req, res, url);
    this.html(res, 404, djangoNotFoundPage(), req.method === 'HEAD');
  }

  private html(res: ServerResponse, status: number, html: string, head: boolean, fault: ReturnType<FaultState['body']> = null): void {
    this.respond.send(res, status, { 'Content-Type': 'text/html; charset=utf-8' }, Buffer.from(html, 'utf8'), fault, head);
  }

  private async handleAuthorizePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!url.pathname.endsWith('/')) {
      res.writeHead(301, { Location: `${url.pathname}/${url.search}`, 'Content-Length': 0 });
      return void res.end();
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const r = authorizePost(this.device, form, this.world.users[0].email);
      return this.html(res, r.status, r.html, false);
    }
    const r = authorizeGet(this.device, url.searchParams);
    this.html(res, r.status, r.html, req.method === 'HEAD');
  }

  /** Writes a proxy-level fault: 429 as DRF's throttle answers, 5xx as JSON, or an nginx HTML page. */
  private proxyFault(res: ServerResponse, pf: ProxyFault, media: boolean): number {
    if (pf.kind === 'rate429') {
      this.counters.shared.rateLimited(pf.cause);
      this.counters.shared.fault(pf.cause === 'storm' ? 'storm' : 'rate429');
      const header = pf.asDate ? new Date(this.now() + pf.retryAfterSec * 1000).toUTCString() : String(pf.retryAfterSec);
      const e = drf.throttled(pf.retryAfterSec, header);
      this.respond.send(res, 429, { 'Content-Type': 'application/json', ...e.headers }, Buffer.from(JSON.stringify(e.body)), null, false, media);
      return 429;
    }
    this.counters.shared.fault(pf.kind);
    if (pf.kind === 'html' || media) {
      this.respond.send(res, pf.status, { 'Content-Type': 'text/html' }, Buffer.from(htmlErrorPage(pf.status)), null, false, media);
    } else {
      this.respond.send(res, pf.status, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(drf.server(pf.status).body)), null, false);
    }
    return pf.status;
  }

  private authenticate(header: string | undefined): SimUser | null {
    if (header === undefined) return null;
    const parts = header.trim().split(/\s+/);
    // simplejwt ignores other schemes ("Token …", "bearer …"): the request is then unauthenticated.
    if (parts[0] !== 'Bearer') return null;
    if (parts.length !== 2) throw drf.badAuthorizationHeader();
    return this.tokens.identify(parts[1]);
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    const log = (status: number) => this.counters.record({ method, path: url.pathname + url.search, status, authorization: authorizationKind(auth), origin: 'api' });
    let below: string;
    try {
      below = decodeURIComponent(url.pathname.slice(API_PREFIX.length + 1));
    } catch {
      below = '\u0000';
    }
    const route = matchRoute(below);
    const slashed = route ? null : below.endsWith('/') ? null : matchRoute(`${below}/`);
    const template = (route ?? slashed)?.template ?? '(unrouted)';
    this.counters.apiRequest(template);
    const resolved = route ?? slashed;
    if (auth !== undefined) this.counters.authorizationSeen(resolved?.kind === 'auth' ? 'auth' : resolved && 'portal' in resolved ? resolved.portal : 'other');
    const target = { path: url.pathname + url.search, template, media: false };
    await this.sleeper.sleep(this.faults.latency(), res);
    if (res.destroyed) return;
    const pf = this.faults.proxy(target);
    if (pf) return log(this.proxyFault(res, pf, false));
    if (!route) {
      if (slashed) {
        // Django's APPEND_SLASH: a permanent redirect to the same origin, query kept.
        this.counters.redirect();
        this.counters.shared.status(301);
        res.writeHead(301, { Location: `${url.pathname}/${url.search}`, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 0 });
        res.end();
        return log(301);
      }
      this.html(res, 404, djangoNotFoundPage(), method === 'HEAD');
      return log(404);
    }
    const format = url.searchParams.get('format');
    const html = wantsHtml(format, req.headers.accept);
    const allow = route.kind === 'auth' ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS';
    let result: BsResult;
    let extraHeaders: Record<string, string> = {};
    try {
      const raw = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readBody(req) : Buffer.alloc(0);
      if (format !== null && format !== 'json' && format !== 'api') throw drf.notFound();
      const user = this.authenticate(auth);
      if (route.kind !== 'auth' && route.portal === 'private' && !user) throw drf.notAuthenticated();
      const allowed = route.kind === 'auth' ? ['POST', 'OPTIONS'] : ['GET', 'HEAD', 'OPTIONS'];
      if (!allowed.includes(method)) throw drf.methodNotAllowed(method);
      const delay = this.faults.slow(target);
      if (delay > 0) {
        this.counters.shared.fault('slow');
        await this.sleeper.sleep(delay, res);
        if (res.destroyed) return;
      }
      const bsReq: BsRequest = { method, url, query: url.searchParams, headers: req.headers, user, body: parseBody(raw, req.headers['content-type']) };
      result = method === 'OPTIONS' ? this.options(route, allow) : this.view(route, bsReq);
    } catch (e) {
      if (!(e instanceof DrfError)) throw e;
      result = { status: e.status, body: e.body };
      extraHeaders = e.headers;
    }
    const headers = { Allow: allow, Vary: 'Accept', ...extraHeaders };
    const fault = this.faults.body(target);
    if (html) {
      const title = route.kind === 'auth' ? route.template : `${route.spec.detailKey} ${route.kind}`;
      this.html(res, result.status, browsablePage(title, result.status, { ...headers, 'Content-Type': 'application/json' }, result.body), method === 'HEAD', fault);
    } else {
      this.respond.send(res, result.status, { 'Content-Type': 'application/json', ...headers }, Buffer.from(JSON.stringify(result.body), 'utf8'), fault, method === 'HEAD');
    }
    log(result.status);
  }

  private view(route: Route, req: BsRequest): BsResult {
    const ctx = this.ctx();
    switch (route.kind) {
      case 'auth':
        return authRoute(ctx, req, route.name);
      case 'list':
        return listRecords(ctx, req, route.portal, route.spec);
      case 'detail':
        return getRecord(ctx, req, route.portal, route.spec, route.id);
      case 'related':
        return relatedRecords(ctx, req, route.portal, route.spec, route.id, route.field);
    }
  }

  /** DRF's OPTIONS metadata, reduced. */
  private options(route: Route, allow: string): BsResult {
    const name = route.kind === 'auth' ? route.template : `${route.spec.detailKey} ${route.kind}`;
    return { status: 200, body: { name, description: '', allow, renders: ['application/json', 'text/html'], parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] } };
  }

  private async handleImage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.imagesOrigin);
    const auth = req.headers.authorization;
    this.counters.imageRequest(auth !== undefined);
    const target = { path: url.pathname + url.search, template: '/images', media: true };
    const log = (status: number) => this.counters.record({ method: req.method ?? 'GET', path: url.pathname + url.search, status, authorization: authorizationKind(auth), origin: 'images' });
    await this.sleeper.sleep(this.faults.latency(), res);
    const pf = this.faults.proxy(target);
    if (pf) return log(this.proxyFault(res, pf, true));
    const delay = this.faults.slow(target);
    if (delay > 0) {
      this.counters.shared.fault('slow');
      await this.sleeper.sleep(delay, res);
    }
    if (res.destroyed) return;
    log(serveImage(this.world.images, req, res, url, this.faults.body(target), this.respond, this.counters.shared));
  }

  controlApi(): ControlApi {
    const sim = this.simulator();
    return {
      ...sim,
      addRules: (r) => this.faults.addRules(r),
      info: () => ({
        baseUrl: this.origin + API_PREFIX,
        imagesOrigin: this.imagesOrigin,
        scale: this.world.scale,
        seed: this.world.seed,
        users: this.world.users.map((u) => ({ email: u.email, projectIds: u.projectIds })),
        summary: sim.dataset.summary(),
      }),
    };
  }

  simulator(): BrainstemSimulator {
    const world = this.world;
    const store = world.store;
    const fullView = () => new Visibility(store, { portal: 'private', user: world.users[0] });
    // Relations as ids, as the private portal serves them to the first user (a member of every project).
    const asServed = (model: string, row: Row): JsonRecord => new Serializer(store, fullView(), false, '').record(model, row, {});
    return {
      origin: this.origin,
      baseUrl: this.origin + API_PREFIX,
      imagesOrigin: this.imagesOrigin,
      port: this.port,
      controlUrl: `${this.origin}/__sim`,
      token: this.token,
      otherToken: this.otherToken,
      credentials: { email: world.users[0].email, password: this.tokens.password(world.users[0].email) },
      dataset: {
        scale: world.scale,
        seed: world.seed,
        users: world.users.map((u) => ({ ...u, projectIds: [...u.projectIds] })),
        projects: () =>
          store.all('project').map((p) => ({
            id: p.id,
            name: p.name as string,
            isPublic: p.is_public as boolean,
            sessionIds: [...store.relatedIds('project', p, 'sessions')],
            subjectIds: [...store.relatedIds('project', p, 'subjects')],
          })),
        rows: (model) => store.all(model).map((r) => asServed(model, r)),
        row: (model, id) => {
          const r = store.get(model, id);
          return r ? asServed(model, r) : undefined;
        },
        summary: () => {
          const out: Record<string, number> = {};
          for (const m of ['project', 'session', 'subject', 'collection', 'cohort', 'dataacquisition', 'behavior', 'manipulation', 'epoch', 'procedure', 'procedurelog', 'subjectlog']) {
            out[modelSpec(m).listKey] = store.count(m);
          }
          return out;
        },
        images: () => world.images.map((i) => ({ ...i })),
      },
      setFaults: (p: Partial<FaultConfig>) => this.faults.set(p),
      resetFaults: () => this.faults.reset(),
      faults: () => this.faults.config(),
      setShapes: (p) => (this.shapes = { ...this.shapes, ...p }),
      resetShapes: () => (this.shapes = defaultShapes()),
      shapes: () => ({ ...this.shapes }),
      counters: () => this.counters.snapshot(),
      resetCounters: () => this.counters.reset(),
      requestLog: () => this.counters.requestLog(),
      append: (model, parentId, n) => {
        if (!(model in APPENDABLE)) throw new Error(`cannot append ${model}; appendable: ${Object.keys(APPENDABLE).join(', ')}`);
        if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('n must be an integer from 1 to 10000');
        return world.append(model, parentId, n);
      },
      device: {
        approve: (code, email) => void this.device.decide(code, 'approved', this.tokens.user(email).email),
        deny: (code) => void this.device.decide(code, 'denied'),
        pending: () => this.device.pending().map((c) => ({ userCode: c.userCode, deviceCode: c.deviceCode, sessionId: c.sessionId, expiresAtMs: c.expiresAtMs })),
      },
      tokens: {
        issue: (email) => this.tokens.issuePat(this.tokens.user(email).id).token,
        revoke: (token) => this.tokens.revoke(token),
      },
      close: () => this.close(),
    };
  }
}

export { BRAINSTEM_CONTROL_ROUTES };
