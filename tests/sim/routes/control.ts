// The simulator-only control route (/__sim/...). JSON in, JSON out; no auth, not rate limited, not counted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppendOptions, FaultConfig, FaultRule, ShapeConfig, SimCounters, StreamType } from '../types';

export interface ControlApi {
  faults(): FaultConfig;
  setFaults(p: Partial<FaultConfig>): void;
  addRules(r: FaultRule[]): void;
  resetFaults(): void;
  shapes(): ShapeConfig;
  setShapes(p: Partial<ShapeConfig>): void;
  counters(): SimCounters;
  resetCounters(): void;
  resetRateLimits(): void;
  resetAll(): void;
  appendRecords(type: StreamType, experimentId: string, roomId: string, n: number, opts?: AppendOptions): void;
  addRoom(experimentId: string, opts?: { participants?: number; active?: boolean }): { roomId: string; participantIds: string[] };
  setRoomStatus(roomId: string, status: 'active' | 'completed'): void;
  info(): Record<string, unknown>;
}

export const CONTROL_ROUTES = [
  'GET  /__sim/info',
  'GET  /__sim/faults',
  'POST /__sim/faults          (merge a partial FaultConfig; "rules" replaces the rule list)',
  'POST /__sim/faults/rules    (append rules: [{match, kind, count, ...}])',
  'DELETE /__sim/faults        (reset faults)',
  'GET  /__sim/shapes',
  'POST /__sim/shapes          (merge a partial ShapeConfig)',
  'GET  /__sim/counters',
  'POST /__sim/counters/reset',
  'POST /__sim/rate-limits/reset',
  'POST /__sim/append          ({type, experimentId, roomId, n, where?: mixed|inside|after, extra?: {field: value}})',
  'POST /__sim/rooms           ({experimentId, participants?, active?}: a new room; answers {roomId, participantIds})',
  'POST /__sim/rooms/status    ({roomId, status: active|completed})',
  'POST /__sim/reset           (faults, shapes, counters and rate limits)',
];

async function readJson(req: IncomingMessage): Promise<unknown> {
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
        return send(res, 200, { ...api.info(), routes: CONTROL_ROUTES });
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
      case 'POST /__sim/faults/reset':
        api.resetFaults();
        return send(res, 200, api.faults());
      case 'GET /__sim/shapes':
        return send(res, 200, api.shapes());
      case 'POST /__sim/shapes':
        api.setShapes((await readJson(req)) as Partial<ShapeConfig>);
        return send(res, 200, api.shapes());
      case 'GET /__sim/counters':
        return send(res, 200, api.counters());
      case 'POST /__sim/counters/reset':
        api.resetCounters();
        return send(res, 200, api.counters());
      case 'POST /__sim/rate-limits/reset':
        api.resetRateLimits();
        return send(res, 200, { ok: true });
      case 'POST /__sim/append': {
        const b = (await readJson(req)) as { type: StreamType; experimentId: string; roomId: string; n: number; where?: AppendOptions['where']; extra?: AppendOptions['extra'] };
        if (b.where !== undefined && !['mixed', 'inside', 'after'].includes(b.where)) throw new Error(`where must be mixed, inside or after, not ${String(b.where)}`);
        if (b.extra !== undefined && (typeof b.extra !== 'object' || b.extra === null || Array.isArray(b.extra))) throw new Error('extra must be an object of fields');
        api.appendRecords(b.type, b.experimentId, b.roomId, b.n, { ...(b.where ? { where: b.where } : {}), ...(b.extra ? { extra: b.extra } : {}) });
        return send(res, 200, { ok: true });
      }
      case 'POST /__sim/rooms': {
        const b = (await readJson(req)) as { experimentId: string; participants?: number; active?: boolean };
        return send(res, 200, api.addRoom(b.experimentId, { ...(b.participants !== undefined ? { participants: b.participants } : {}), ...(b.active !== undefined ? { active: b.active } : {}) }));
      }
      case 'POST /__sim/rooms/status': {
        const b = (await readJson(req)) as { roomId: string; status: 'active' | 'completed' };
        api.setRoomStatus(b.roomId, b.status);
        return send(res, 200, { ok: true });
      }
      case 'POST /__sim/reset':
        api.resetAll();
        return send(res, 200, { ok: true });
      default:
        return send(res, 404, { error: `Unknown control route ${route}`, routes: CONTROL_ROUTES });
    }
  } catch (e) {
    return send(res, 400, { error: e instanceof Error ? e.message : String(e) });
  }
}
