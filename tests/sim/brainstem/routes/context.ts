// What the BrainSTEM route handlers get, and the routes the URL space resolves to.
import type { IncomingHttpHeaders } from 'node:http';
import type { DeviceFlow } from '../auth/device';
import type { TokenStore } from '../auth/tokens';
import type { BrainstemCounterSet } from '../counters';
import type { World } from '../data/generate';
import type { ModelSpec } from '../models';
import type { BrainstemShapes, JsonRecord, Portal, SimUser } from '../types';

export interface BsContext {
  world: World;
  tokens: TokenStore;
  device: DeviceFlow;
  counters: BrainstemCounterSet;
  shapes: BrainstemShapes;
  origin: string;
}

export type AuthRouteName = 'token' | 'token-refresh' | 'legacy-token' | 'device' | 'device-token';

export type Route =
  | { kind: 'auth'; name: AuthRouteName; template: string }
  | { kind: 'list'; portal: Portal; spec: ModelSpec; template: string }
  | { kind: 'detail'; portal: Portal; spec: ModelSpec; id: string; template: string }
  | { kind: 'related'; portal: Portal; spec: ModelSpec; id: string; field: string; template: string };

export interface BsRequest {
  method: string;
  url: URL;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The authenticated user, if a valid bearer token came with the request. */
  user: SimUser | null;
  body: RequestBody;
}

/** A POST body as DRF's parsers see it (JSON or form-encoded). */
export type RequestBody =
  | { kind: 'ok'; data: JsonRecord }
  | { kind: 'parse-error'; message: string }
  | { kind: 'not-object'; type: string }
  | { kind: 'unsupported'; contentType: string };

export interface BsResult {
  status: number;
  body: unknown;
}

export const ok = (body: unknown, status = 200): BsResult => ({ status, body });
