// The simulator-only control routes under /__sim (no auth, not counted): faults, shapes, counters,
// the request log, appending records, and the browser side of the device flow and of tokens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultConfig, FaultRule } from '../../types';
import { APPENDABLE, type AppendableModel, type BrainstemSimulator, type BrainstemShapes } from '../types';

export type ControlApi = Pick<
  BrainstemSimulator,
  'faults' | 'setFaults' | 'resetFaults' | 'shapes' | 'setShapes' | 'resetShapes' | 'counters' | 'resetCounters' | 'requestLog' | 'append' | 'device' | 'tokens'
> & {
  addRules(r: FaultRule[]): void;
  info(): Record<string, unknown>;
};

export const BRAINSTEM_CONTROL_ROUTES = [
  'GET  /__sim/info',
  'GET  /__sim/faults',
  'POST /__sim/faults          (merge a partial FaultConfig; "rules" replaces the rule list)',
  'POST /__sim/faults/rules    (append rules: [{match, kind, count, ...}])',
  'DELETE /__sim/faults        (reset faults)',
  'GET  /__sim/shapes',
  'POST /__sim/shapes          (merge {paging: "keyed"|"results", omitMeta, addCount, sideloading})',
  'DELETE /__sim/shapes        (documented shapes)',
  'GET  /__sim/counters',
  'POST /__sim/counters/reset  (also clears the request log)',
  'GET  /__sim/requests        (the last 2,000 requests: method, path, status, authorization kind)',
  `POST /__sim/append          ({model, parent, n}; model: ${Object.keys(APPENDABLE).join(', ')}) → {ids}`,
  'GET  /__sim/device          (pending device codes)',
  'POST /__sim/device/approve  ({code: user code | device code | session id, user?: email})',
  'POST /__sim/device/deny     ({code})',
  'POST /__sim/tokens          ({user?: email}) → {token}: a new personal access token',
  'POST /__sim/tokens/revoke   ({token}): the token is stale from now on',
  'POST /__sim/reset           (faults, shapes, counters)',
];

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function handleControl(api: ControlApi, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const route = `${req.method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /__sim':
      case 'GET /__sim/info':
        return send(res, 200, { ...api.info(), routes: BRAINSTEM_CONTROL_ROUTES });
      case 'GET /__sim/faults':
        return send(res, 200, api.faults());
      case 'POST /__sim/faults':
        api.setFaults((await readJson(req)) as Partial<FaultConfig>);
        return send(res, 200, api.faults());
      case 'POST /__sim/faults/rules': {
        const body = await readJson(req);
        api.addRules((Array.isArray(body) ? body : [body]) as FaultRule[]);
        return send(res, 200, api.faults());
      }
      case 'DELETE /__sim/faults':
        api.resetFaults();
        return send(res, 200, api.faults());
      case 'GET /__sim/shapes':
        return send(res, 200, api.shapes());
      case 'POST /__sim/shapes':
        api.setShapes((await readJson(req)) as Partial<BrainstemShapes>);
        return send(res, 200, api.shapes());
      case 'DELETE /__sim/shapes':
        api.resetShapes();
        return send(res, 200, api.shapes());
      case 'GET /__sim/counters':
        return send(res, 200, api.counters());
      case 'POST /__sim/counters/reset':
        api.resetCounters();
        return send(res, 200, api.counters());
      case 'GET /__sim/requests':
        return send(res, 200, api.requestLog());
      case 'POST /__sim/append': {
        const b = await readJson(req);
        return send(res, 200, { ids: api.append(b.model as AppendableModel, String(b.parent), Number(b.n ?? 1)) });
      }
      case 'GET /__sim/device':
        return send(res, 200, api.device.pending());
      case 'POST /__sim/device/approve': {
        const b = await readJson(req);
        api.device.approve(String(b.code), b.user);
        return send(res, 200, { ok: true });
      }
      case 'POST /__sim/device/deny': {
        const b = await readJson(req);
        api.device.deny(String(b.code));
        return send(res, 200, { ok: true });
      }
      case 'POST /__sim/tokens': {
        const b = await readJson(req);
        return send(res, 200, { token: api.tokens.issue(b.user) });
      }
      case 'POST /__sim/tokens/revoke': {
        const b = await readJson(req);
        api.tokens.revoke(String(b.token));
        return send(res, 200, { ok: true });
      }
      case 'POST /__sim/reset':
        api.resetFaults();
        api.resetShapes();
        api.resetCounters();
        return send(res, 200, { ok: true });
      default:
        return send(res, 404, { error: `Unknown control route ${route}`, routes: BRAINSTEM_CONTROL_ROUTES });
    }
  } catch (e) {
    return send(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
