// Resolves a path below /api to a route (reference §1.1, §7.3). The URL space ends in a slash, as
// Django's URLconf for DRF routers does; a path without one is redirected by the caller when its
// slashed form would resolve (APPEND_SLASH), and an unresolvable path is Django's HTML 404.
import { isRelation, routedModel } from '../models';
import type { AuthRouteName, Route } from './context';

const AUTH_ROUTES: Record<string, AuthRouteName> = {
  'auth/token/': 'token',
  'auth/token/refresh/': 'token-refresh',
  'token/': 'legacy-token',
  'auth/device/': 'device',
  'auth/device/token/': 'device-token',
};

/** DRF's default lookup_value_regex: no slash, no dot. */
const LOOKUP = /^[^/.]+$/;

/** `below` is the decoded path after "/api/", e.g. "private/stem/session/". */
export function matchRoute(below: string): Route | null {
  const auth = AUTH_ROUTES[below];
  if (auth) return { kind: 'auth', name: auth, template: `/${below}` };
  if (!below.endsWith('/')) return null;
  const s = below.slice(0, -1).split('/');
  const [portal, app, model, id, field] = s;
  if ((portal !== 'private' && portal !== 'public') || s.length < 3 || s.length > 5) return null;
  const spec = routedModel(app, model);
  if (!spec || s.some((seg) => seg === '')) return null;
  const base = `/${portal}/${app}/${model}/`;
  if (s.length === 3) return { kind: 'list', portal, spec, template: base };
  if (!LOOKUP.test(id)) return null;
  if (s.length === 4) return { kind: 'detail', portal, spec, id, template: `${base}{id}/` };
  const f = spec.fields[field];
  if (!f || !isRelation(f) || !LOOKUP.test(field)) return null;
  return { kind: 'related', portal, spec, id, field, template: `${base}{id}/${field}/` };
}
