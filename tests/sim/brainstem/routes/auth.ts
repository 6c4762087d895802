// POST /api/auth/token/, /api/auth/token/refresh/, /api/token/ (legacy) and the device flow
// /api/auth/device/ + /api/auth/device/token/ (reference §2.2, §2.3).
import { ACCESS_TTL_S } from '../auth/tokens';
import { DEVICE_INTERVAL_S, DEVICE_TTL_S } from '../auth/device';
import { drf, DrfError, REQUIRED } from '../errors';
import type { JsonRecord } from '../types';
import { ok, type AuthRouteName, type BsContext, type BsRequest, type BsResult } from './context';

/** The request's fields, or DRF's field errors for the missing and blank ones. */
function fields(req: BsRequest, names: string[], optional: string[] = []): Record<string, string> {
  const b = req.body;
  if (b.kind === 'parse-error') throw drf.parse(`JSON parse error - ${b.message}`);
  if (b.kind === 'unsupported') throw new DrfError(415, { detail: `Unsupported media type "${b.contentType}" in request.` });
  if (b.kind === 'not-object') throw drf.fields({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${b.type}.`] });
  const body: JsonRecord = b.data;
  const errors: Record<string, string[]> = {};
  const out: Record<string, string> = {};
  for (const name of [...names, ...optional]) {
    const v = body[name];
    if (v === undefined || v === null) {
      if (names.includes(name)) errors[name] = [v === null ? 'This field may not be null.' : REQUIRED];
    } else if (typeof v !== 'string' && typeof v !== 'number') errors[name] = ['Not a valid string.'];
    else if (String(v) === '' && names.includes(name)) errors[name] = ['This field may not be blank.'];
    else out[name] = String(v);
  }
  if (Object.keys(errors).length) throw drf.fields(errors);
  return out;
}

function passwordLogin(ctx: BsContext, req: BsRequest): BsResult {
  const { email, password } = fields(req, ['email', 'password']);
  ctx.counters.auth('passwordLogins');
  const user = ctx.tokens.checkPassword(email, password);
  if (!user) return ok({ detail: 'No active account found with the given credentials' }, 401);
  const pair = ctx.tokens.pair(user);
  return ok({ access: pair.access, refresh: pair.refresh, token_type: 'bearer', expires_in: ACCESS_TTL_S });
}

function refresh(ctx: BsContext, req: BsRequest): BsResult {
  const { refresh: token } = fields(req, ['refresh']);
  ctx.counters.auth('refreshes');
  try {
    const pair = ctx.tokens.refresh(token);
    return ok({ access: pair.access, refresh: pair.refresh, expires_in: ACCESS_TTL_S });
  } catch (e) {
    ctx.counters.auth('refreshesRejected');
    throw e;
  }
}

function legacyToken(ctx: BsContext, req: BsRequest): BsResult {
  const { username, password } = fields(req, ['username', 'password']);
  ctx.counters.auth('legacyTokens');
  const user = ctx.tokens.checkPassword(username, password);
  if (!user) return ok({ non_field_errors: ['Unable to log in with provided credentials.'] }, 400);
  const { token, id } = ctx.tokens.issuePat(user.id, 'legacy');
  return ok({ access: token, token_id: id, message: 'Token created successfully' });
}

function deviceStart(ctx: BsContext, req: BsRequest): BsResult {
  const { client_name } = fields(req, [], ['client_name']);
  ctx.counters.auth('deviceStarts');
  const c = ctx.device.start(client_name ?? null);
  const verification = `${ctx.origin}/account/authorize/`;
  return ok({
    device_code: c.deviceCode,
    user_code: c.userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?session=${c.sessionId}`,
    interval: DEVICE_INTERVAL_S,
    expires_in: DEVICE_TTL_S,
    session_id: c.sessionId,
  });
}

/** Always 200: the outcome is in the body (reference §2.2 "Poll response reference"). */
function devicePoll(ctx: BsContext, req: BsRequest): BsResult {
  const { device_code } = fields(req, ['device_code']);
  ctx.counters.auth('devicePolls');
  const r = ctx.device.poll(device_code);
  if ('status' in r && r.status === 'success') {
    const { token } = ctx.tokens.issuePat(ctx.tokens.user(r.email).id, 'device');
    return ok({ status: 'success', token });
  }
  return ok(r);
}

export function authRoute(ctx: BsContext, req: BsRequest, name: AuthRouteName): BsResult {
  switch (name) {
    case 'token':
      return passwordLogin(ctx, req);
    case 'token-refresh':
      return refresh(ctx, req);
    case 'legacy-token':
      return legacyToken(ctx, req);
    case 'device':
      return deviceStart(ctx, req);
    case 'device-token':
      return devicePoll(ctx, req);
  }
}
