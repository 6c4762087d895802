import { StudyError } from '../../../src-shared/errors';
import type { Environment } from '../../../src-shared/model';

export const ENVIRONMENT_URLS: Record<Exclude<Environment, 'custom'>, string> = {
  production: 'https://api.hyperstudy.io/api/v3',
  development: 'https://dev.hyperstudy.io/api/v3',
};

/** The base URL for an environment; custom needs an http(s) URL. Trailing slashes dropped. */
export function resolveBaseUrl(environment: Environment, baseUrl?: string): string {
  if (environment !== 'custom') return ENVIRONMENT_URLS[environment];
  const raw = baseUrl?.trim();
  if (!raw) throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'A custom connection needs a server address.', fix: 'Enter the API base URL, e.g. https://api.hyperstudy.io/api/v3.' });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `"${raw}" is not a web address.`, fix: 'Enter the API base URL, e.g. https://api.hyperstudy.io/api/v3.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: `"${raw}" is not an http(s) address.`, fix: 'Enter the API base URL, e.g. https://api.hyperstudy.io/api/v3.' });
  }
  if (url.username || url.password) {
    throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'The server address must not contain a user name or password.', fix: 'Remove the credentials from the address; the API key is entered separately.' });
  }
  return url.toString().replace(/\/+$/, '');
}

/** The environment a base URL corresponds to (custom for anything else). */
export function environmentOf(baseUrl: string): Environment {
  const clean = baseUrl.replace(/\/+$/, '');
  for (const [env, url] of Object.entries(ENVIRONMENT_URLS)) if (url === clean) return env as Environment;
  return 'custom';
}
