// The HyperStudy source's entry point: what sources/registry.ts (and only it) imports.
import { checkKeyFormat } from '../../net/http';
import type { SourceModule } from '../source';
import { hyperstudyAdapter, hyperstudyRules } from './adapter';
import { createHyperStudyClient } from './client';
import { TYPE_ALIASES } from './descriptors';
import { ENVIRONMENT_URLS, environmentOf, resolveBaseUrl } from './environments';
import { keyHint } from './key-format';
import { legacyTarget } from './targets';
import { keyFormatProblem, validateKey } from './validate-key';

export const hyperstudy: SourceModule = {
  ...hyperstudyRules,
  typeAliases: TYPE_ALIASES,
  environmentKey: {
    keyVariable: 'HYPERSTUDY_API_KEY',
    baseUrlVariable: 'HYPERSTUDY_BASE_URL',
    organizationVariable: 'HYPERSTUDY_ORGANIZATION_ID',
    defaultBaseUrl: ENVIRONMENT_URLS.production,
  },
  namedBaseUrls: ENVIRONMENT_URLS,
  resolveConnection(input) {
    const environment = input.environment ?? (input.baseUrl ? 'custom' : 'production');
    const baseUrl = resolveBaseUrl(environment, input.baseUrl);
    const organizationId = input.organizationId?.trim() || undefined;
    return { baseUrl, environment: environment === 'custom' ? environmentOf(baseUrl) : environment, ...(organizationId ? { organizationId } : {}) };
  },
  legacyTarget,
  credentialFormatProblem: keyFormatProblem,
  assertCredential: checkKeyFormat,
  credentialHint: keyHint,
  validateCredential: (conn, deps) =>
    validateKey({ baseUrl: conn.baseUrl, apiKey: conn.secret, ...(conn.organizationId ? { organizationId: conn.organizationId } : {}), ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}) }, deps),
  open(conn, deps) {
    const client = createHyperStudyClient({
      connection: { baseUrl: conn.baseUrl, apiKey: conn.secret, ...(conn.organizationId ? { organizationId: conn.organizationId } : {}), ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}) },
      limiter: deps.limiter,
      clock: deps.clock,
      fetch: deps.fetch,
      logger: deps.logger,
      retry: deps.retry,
      maxInFlight: deps.maxInFlight,
    });
    return hyperstudyAdapter(client);
  },
};
