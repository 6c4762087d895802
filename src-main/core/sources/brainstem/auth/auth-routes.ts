// BrainSTEM's sign-in routes (reference §2.2, §2.3), each one POST with a JSON body and no
// Authorization header: the email/password pair, its rotating refresh, and the device flow. The
// answers are checked for shape here, so the callers get typed values or a typed error.
import type { ApiTransport } from '../../../net/http';
import { notBrainstemError } from '../errors';

export interface TokenPair {
  access: string;
  /** The new refresh token; absent when the server does not rotate (then the old one stays valid). */
  refresh: string | null;
  /** Lifetime of the access token in seconds, when the server says. */
  expiresIn: number | null;
}

export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  /** Seconds between polls. */
  interval: number | null;
  /** Seconds the code stays valid. */
  expiresIn: number | null;
}

export type DevicePoll =
  | { kind: 'pending' }
  | { kind: 'slow-down' }
  | { kind: 'success'; token: string }
  | { kind: 'error'; error: string; description?: string };

type Json = Record<string, unknown>;

async function post(t: ApiTransport, path: string, json: Json, what: string, signal?: AbortSignal): Promise<{ body: Json; url: string }> {
  const res = await t.request({ path, method: 'POST', json, what, signal });
  if (!res.body || typeof res.body !== 'object' || Array.isArray(res.body)) throw notBrainstemError(res.url, 'shape', res.status, 'the answer is not a JSON object');
  return { body: res.body as Json, url: res.url };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const seconds = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : null);

/** POST /api/auth/token/ {email, password} → an access token and a refresh token. */
export async function requestTokenPair(t: ApiTransport, email: string, password: string, signal?: AbortSignal): Promise<TokenPair & { refresh: string }> {
  const { body, url } = await post(t, '/auth/token/', { email, password }, 'sign-in route', signal);
  const access = str(body.access);
  const refresh = str(body.refresh);
  if (!access || !refresh) throw notBrainstemError(url, 'shape', 200, 'no access and refresh token in the sign-in answer');
  return { access, refresh, expiresIn: seconds(body.expires_in) };
}

/** POST /api/auth/token/refresh/ {refresh} → a new access token and (rotation) a new refresh token. */
export async function refreshTokenPair(t: ApiTransport, refresh: string, signal?: AbortSignal): Promise<TokenPair> {
  const { body, url } = await post(t, '/auth/token/refresh/', { refresh }, 'token refresh route', signal);
  const access = str(body.access);
  if (!access) throw notBrainstemError(url, 'shape', 200, 'no access token in the refresh answer');
  return { access, refresh: str(body.refresh), expiresIn: seconds(body.expires_in) };
}

/** POST /api/auth/device/ → the codes to show and poll with. */
export async function startDeviceAuthorization(t: ApiTransport, clientName: string, signal?: AbortSignal): Promise<DeviceStart> {
  const { body, url } = await post(t, '/auth/device/', { client_name: clientName }, 'device sign-in route', signal);
  const deviceCode = str(body.device_code);
  const userCode = str(body.user_code);
  const verificationUri = str(body.verification_uri) ?? str(body.verification_uri_complete);
  if (!deviceCode || !userCode || !verificationUri) throw notBrainstemError(url, 'shape', 200, 'no device code, user code or verification address');
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: str(body.verification_uri_complete),
    interval: seconds(body.interval),
    expiresIn: seconds(body.expires_in),
  };
}

/** POST /api/auth/device/token/ {device_code}: always HTTP 200, the outcome is in the body. */
export async function pollDeviceAuthorization(t: ApiTransport, deviceCode: string, signal?: AbortSignal): Promise<DevicePoll> {
  const { body, url } = await post(t, '/auth/device/token/', { device_code: deviceCode }, 'device sign-in route', signal);
  const status = str(body.status);
  const error = str(body.error);
  if (status === 'success') {
    const token = str(body.token) ?? str(body.access) ?? str(body.access_token);
    if (!token) throw notBrainstemError(url, 'shape', 200, 'a successful sign-in answer without a token');
    return { kind: 'success', token };
  }
  if (status === 'authorization_pending' || error === 'authorization_pending') return { kind: 'pending' };
  if (status === 'slow_down' || error === 'slow_down') return { kind: 'slow-down' };
  if (error) return { kind: 'error', error, ...(str(body.error_description) ? { description: str(body.error_description)! } : {}) };
  throw notBrainstemError(url, 'shape', 200, 'an unknown device sign-in answer');
}
