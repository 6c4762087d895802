import { StudyError } from '../../../../src-shared/errors';
import { baseUrlProblem } from '../../net/base-url';
import type { Environment } from '../../../../src-shared/model';

export const ENVIRONMENT_URLS: Record<Exclude<Environment, 'custom'>, string> = {
  production: 'https://api.hyperstudy.io/api/v3',
  development: 'https://dev.hyperstudy.io/api/v3',
};

/**
 * The base URL for an environment; custom needs an https URL (plain http only for this machine:
 * 127.0.0.0/8, ::1, localhost). Trailing slashes dropped.
 */
export function resolveBaseUrl(environment: Environment, baseUrl?: string): string {
  if (environment !== 'custom') return ENVIRONMENT_URLS[environment];
  const raw = baseUrl?.trim();
  if (!raw) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'A custom connection needs a server address.', fix: 'Enter the API base URL, e.g. https://api.hyperstudy.io/api/v3.' });
  const problem = baseUrlProblem(raw);
  if (problem) throw problem;
  return new URL(raw).toString().replace(/\/+$/, '');
}

/** The environment a base URL corresponds to (custom for anything else). */
export function environmentOf(baseUrl: string): Environment {
  const clean = baseUrl.replace(/\/+$/, '');
  for (const [env, url] of Object.entries(ENVIRONMENT_URLS)) if (url === clean) return env as Environment;
  return 'custom';
}
