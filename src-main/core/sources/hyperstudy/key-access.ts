// Which data the active key may read, learned from the server (HyperStudy has no "my scopes"
// endpoint). A 403 names the scopes the key has (`details.provided`), so the first refusal tells
// everything; until one arrives, each scope the data types need is tried once with the smallest
// request (one record), stopping at the first refusal. Once per key and app run. The port sees it
// as the source's CredentialAccess: a data type's requiredScope the key lacks is why it cannot be read.
import { StudyError } from '../../../../src-shared/errors';
import type { DataTypeDescriptor } from '../../../../src-shared/model';
import { pathIdAt } from '../../../../src-shared/target';
import type { CredentialAccess } from '../source';
import type { HyperStudyClient } from './client-types';
import { dataTypeDescriptor, isDataTypeId } from './descriptors';

/** True when `granted` covers `scope`, wildcards included ("read:*", "*"). */
export function scopeGranted(granted: Iterable<string>, scope: string): boolean {
  const verb = scope.split(':')[0];
  for (const g of granted) if (g === scope || g === '*' || g === `${verb}:*`) return true;
  return false;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function createKeyAccessTracker(client: Pick<HyperStudyClient, 'fetchPage'>): CredentialAccess {
  let provided: string[] | null = null;
  const allowed = new Set<string>();
  const denied = new Set<string>();
  /** Probed without learning either way (e.g. a 403 for the experiment, not the scope). */
  const tried = new Set<string>();
  let probing: Promise<void> | null = null;

  const learn = (e: unknown) => {
    if (!(e instanceof StudyError) || e.code !== 'FORBIDDEN') return;
    const d = e.details ?? {};
    for (const s of strings(d.required)) denied.add(s);
    if (Array.isArray(d.provided)) provided = strings(d.provided);
  };

  const needed = (types: DataTypeDescriptor[]) => [...new Set(types.map((t) => t.requiredScope).filter((s): s is string => !!s))];
  const missing = (scopes: string[]) => scopes.filter((s) => (provided ? !scopeGranted(provided, s) : denied.has(s)));
  const unknown = (scopes: string[]) => (provided ? [] : scopes.filter((s) => !allowed.has(s) && !denied.has(s) && !tried.has(s)));

  return {
    learn,
    async check(path, typeIds, o = {}) {
      const experimentId = pathIdAt(path, 'experiment');
      if (experimentId === undefined) {
        throw new StudyError({ code: 'INVALID_ARGUMENT', message: 'HyperStudy checks what a key may read in an experiment.', fix: 'Give the path to an experiment.' });
      }
      const types = typeIds.filter(isDataTypeId).map((id) => dataTypeDescriptor(id));
      const scopes = needed(types);
      // One probe run at a time; a second caller waits for it and reads what it learned.
      while (unknown(scopes).length) {
        if (!probing) {
          probing = (async () => {
            for (const scope of unknown(scopes)) {
              if (provided) break;
              const t = types.find((x) => x.requiredScope === scope && x.scopes.includes('experiment'));
              if (!t) {
                allowed.add(scope);
                continue;
              }
              try {
                await client.fetchPage(t.id, 'experiment', experimentId, { limit: 1, offset: 0 }, { signal: o.signal, onWait: o.onWait });
                allowed.add(scope);
              } catch (e) {
                if (!(e instanceof StudyError) || e.code !== 'FORBIDDEN') throw e;
                learn(e);
                if (!denied.has(scope)) tried.add(scope);
              }
            }
          })().finally(() => {
            probing = null;
          });
        }
        await probing;
      }
      return { known: true, missingScopes: missing(scopes) };
    },
  };
}
