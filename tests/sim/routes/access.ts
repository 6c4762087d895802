// Scope and organisation checks shared by the routes.
import { hasScope } from '../auth';
import { errors, type ApiError } from '../envelope';
import type { ApiRequest, SimContext } from '../context';
import type { Exp } from '../dataset/world';

export function requireScope(req: ApiRequest, scope: string | null): ApiError | null {
  if (scope === null || hasScope(req.key.scopes, scope)) return null;
  return errors.forbidden([scope], req.key.scopes);
}

/** Shared (other-org) experiments are visible only with the matching X-Organization-Id. */
export function canSee(ctx: SimContext, req: ApiRequest, exp: Exp): boolean {
  return !exp.shared || req.orgId === ctx.dataset.world.orgId;
}

export function orgDenied(exp: Exp): ApiError {
  return errors.denied(
    `Data access denied: experiment ${exp.id} is shared with your organization; send your X-Organization-Id header to access it`,
  );
}
