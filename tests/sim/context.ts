// What every route handler gets: the dataset, the switchable shapes and the request.
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyInfo } from './auth';
import type { Dataset } from './dataset/index';
import type { ApiError } from './envelope';
import type { FaultState } from './faults';
import type { Counters } from './counters';
import type { UrlSigner } from './signing';
import type { ShapeConfig } from './types';

export interface SimContext {
  dataset: Dataset;
  shapes: ShapeConfig;
  faults: FaultState;
  counters: Counters;
  signer: UrlSigner;
  now: () => number;
  origin: () => string;
  /** Origin of the storage server that serves signed media URLs (another port). */
  storageOrigin: () => string;
  signedUrlTtlSec: number;
}

export interface ApiRequest {
  /** Decoded path segments below /api/v3. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  key: KeyInfo;
  /** X-Organization-Id, if sent. */
  orgId: string | undefined;
  startedAt: number;
}

export type ApiResult =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status: number; contentType: string; body: string; headers?: Record<string, string> }
  | { kind: 'error'; error: ApiError };

export const fail = (error: ApiError): ApiResult => ({ kind: 'error', error });
export const json = (body: unknown, status = 200): ApiResult => ({ kind: 'json', status, body });
