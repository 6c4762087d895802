// Which API base URLs a credential may be sent to. One rule for the transport, profile validation
// and the CLI: https anywhere; plain http only to this machine (127.0.0.0/8, ::1, localhost), where
// nobody on the network can read the key in transit (the local simulator, a tunnel, a dev server).
import { StudyError } from '../../../src-shared/errors';

const EXAMPLE = 'https://api.hyperstudy.io/api/v3';

/** True for hosts that are always this machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h === '::1') return true;
  // The WHATWG parser has already normalized IPv4 forms (127.1, 0x7f.0.0.1, 2130706433) to dotted quads.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function invalid(message: string, fix = `Use the API's https address, e.g. ${EXAMPLE}.`): StudyError {
  return new StudyError({ code: 'INVALID_ARGUMENT', message, fix });
}

/** The reason `raw` is not an acceptable API base URL, or null when it is. Makes no request. */
export function baseUrlProblem(raw: string): StudyError | null {
  const text = raw.trim();
  if (!text) return invalid('No server address was given.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`"${text}" is not a web address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return invalid(`"${text}" is not an https address (it starts with ${url.protocol}).`);
  if (url.username || url.password) return invalid('The server address must not contain a user name or password.', 'Remove them from the address; the API key is entered separately.');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return invalid(
      `Refusing plain http:// for ${url.host}: the API key would travel unencrypted. Only https is accepted, except for this machine (127.0.0.1, ::1, localhost).`,
      `Use https://${url.host}${url.pathname.replace(/\/+$/, '')} instead.`,
    );
  }
  return null;
}

/** The base URL, trimmed and without trailing slashes; throws INVALID_ARGUMENT (naming https) when it is not acceptable. */
export function checkApiBaseUrl(raw: string): string {
  const problem = baseUrlProblem(raw);
  if (problem) throw problem;
  return normalizeBaseUrl(raw);
}

export function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
}
