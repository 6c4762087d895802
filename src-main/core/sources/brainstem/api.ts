// One authenticated GET against BrainSTEM's API: the credential made fresh first, one retry after
// a refresh when a signed-in session's access token comes back 401, and every error redacted of
// the connection's secrets before it leaves.
import { isStudyError } from '../../../../src-shared/errors';
import type { ApiTransport } from '../../net/http';
import type { AuthSession } from './auth/session';
import type { SecretRedactor } from './auth/secret-redactor';

export interface GetResult {
  body: unknown;
  url: string;
  status: number;
}

export interface BrainstemApi {
  /** GET a path below /api (with its query), e.g. "/private/stem/project/?limit=1". `what` names it in a 404/403. */
  get(pathAndQuery: string, what: string, signal?: AbortSignal): Promise<GetResult>;
  requestsMade(): number;
}

export function createBrainstemApi(o: { transport: ApiTransport; session: AuthSession; redactor: SecretRedactor }): BrainstemApi {
  async function attempt(pathAndQuery: string, what: string, signal: AbortSignal | undefined): Promise<GetResult> {
    for (let recovered = false; ; recovered = true) {
      const used = await o.session.prepare(signal);
      try {
        const res = await o.transport.request({ path: pathAndQuery, what, signal });
        return { body: res.body, url: res.url, status: res.status };
      } catch (e) {
        if (!recovered && isStudyError(e) && e.status === 401 && (await o.session.recover(used, signal))) continue;
        throw e;
      }
    }
  }
  return {
    async get(pathAndQuery, what, signal) {
      try {
        return await attempt(pathAndQuery, what, signal);
      } catch (e) {
        throw o.redactor.error(e);
      }
    },
    requestsMade: () => o.transport.requestsMade(),
  };
}
