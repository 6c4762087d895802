// Where BrainSTEM is and which portal we read: the site root (https://www.brainstem.org by
// default), the API below it at /api, and the portal (private needs a credential; public must be
// sent none). The same https-only rule as every source (plain http only to this machine).
import { StudyError } from '../../../../src-shared/errors';
import { baseUrlProblem } from '../../net/base-url';

export const DEFAULT_BRAINSTEM_URL = 'https://www.brainstem.org/';

export type Portal = 'private' | 'public';
export const PORTALS: readonly Portal[] = ['private', 'public'];

export interface BrainstemUrls {
  /** The site root without a trailing slash, e.g. https://www.brainstem.org */
  site: string;
  /** The API root, e.g. https://www.brainstem.org/api */
  api: string;
  /** Where a user creates a personal access token. */
  tokensPage: string;
}

/**
 * The site and API roots for a base URL given either as the site ("https://www.brainstem.org/")
 * or as the API ("http://127.0.0.1:8790/api", as the simulator prints it).
 */
export function brainstemUrls(baseUrl: string = DEFAULT_BRAINSTEM_URL): BrainstemUrls {
  const site = baseUrl.trim().replace(/\/+$/, '').replace(/\/api$/i, '');
  return { site, api: `${site}/api`, tokensPage: `${site}/private/users/tokens/` };
}

/** Why a base URL cannot be used (plain http off this machine, not a web address…), or null. Makes no request. */
export function brainstemUrlProblem(baseUrl: string = DEFAULT_BRAINSTEM_URL): StudyError | null {
  const problem = baseUrlProblem(baseUrl);
  if (!problem) return null;
  const generic = !problem.fix || /hyperstudy/i.test(problem.fix);
  return new StudyError({
    code: problem.code,
    message: problem.message,
    fix: generic ? `Use BrainSTEM's https address, e.g. ${DEFAULT_BRAINSTEM_URL}` : problem.fix,
  });
}

export function isPortal(v: unknown): v is Portal {
  return v === 'private' || v === 'public';
}
