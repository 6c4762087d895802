// Reading a BrainSTEM answer (reference §3.1, §3.3). A list page holds its records under the
// model's list key (data_acquisitions, not dataacquisitions), or under "results" when the server
// pages DRF-style; related records may be sideloaded beside them under their own list keys.
// The total is meta.total_results, or count, or unknown. Anything else is not BrainSTEM.
import { notBrainstemError } from './errors';
import { KNOWN_LIST_KEYS, MODELS, type ModelName } from './models';

export type JsonRecord = Record<string, unknown>;

export interface ListPage {
  records: JsonRecord[];
  /** Sideloaded related records, by list key ("epochs" when sessions were asked with include[]=epochs.*). */
  sideloaded: Record<string, JsonRecord[]>;
  /** meta.total_results ?? count; null when the server gives neither. */
  total: number | null;
  /** meta.per_page, when the server says how many it serves per page. */
  perPage: number | null;
}

const isObject = (v: unknown): v is JsonRecord => !!v && typeof v === 'object' && !Array.isArray(v);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
const records = (v: unknown[]): JsonRecord[] => v.filter(isObject);

const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

/**
 * Which key holds the records: the model's list key, DRF's "results", else the one array that is
 * no sideload (no documented list key, not "+…") and is spelled like the model (dataAcquisitions,
 * procedurelogs) — so {"data": [...]} from another API is not taken for BrainSTEM records.
 */
function recordsKey(body: JsonRecord, model: ModelName, url: string): string {
  const listKey = MODELS[model].listKey;
  if (Array.isArray(body[listKey])) return listKey;
  if (Array.isArray(body.results)) return 'results';
  const name = letters(MODELS[model].name);
  const candidates = Object.keys(body).filter((k) => Array.isArray(body[k]) && !k.startsWith('+') && !KNOWN_LIST_KEYS.has(k) && letters(k).startsWith(name));
  if (candidates.length === 1) return candidates[0];
  const found = Object.keys(body).slice(0, 6).join(', ') || 'nothing';
  throw notBrainstemError(url, 'shape', 200, candidates.length ? `several record lists: ${candidates.join(', ')}` : `no "${listKey}" list; keys: ${found}`);
}

export function readListPage(body: unknown, model: ModelName, url: string): ListPage {
  if (!isObject(body)) throw notBrainstemError(url, 'shape', 200, Array.isArray(body) ? 'a bare list' : 'not a JSON object');
  const key = recordsKey(body, model, url);
  const sideloaded: Record<string, JsonRecord[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k !== key && k !== 'meta' && Array.isArray(v)) sideloaded[k.startsWith('+') ? k.slice(1) : k] = records(v);
  }
  const meta = isObject(body.meta) ? body.meta : {};
  const perPage = count(meta.per_page);
  return {
    records: records(body[key] as unknown[]),
    sideloaded,
    total: count(meta.total_results) ?? count(body.count),
    perPage: perPage && perPage > 0 ? perPage : null,
  };
}

/** A detail answer {"<detail key>": {...}}; the one object-valued key other than meta as a fallback. */
export function readDetail(body: unknown, model: ModelName, url: string): JsonRecord {
  if (!isObject(body)) throw notBrainstemError(url, 'shape', 200, 'not a JSON object');
  const key = MODELS[model].detailKey;
  if (isObject(body[key])) return body[key] as JsonRecord;
  const candidates = Object.keys(body).filter((k) => isObject(body[k]) && k !== 'meta' && k !== 'links');
  if (candidates.length === 1) return body[candidates[0]] as JsonRecord;
  throw notBrainstemError(url, 'shape', 200, `no "${key}" record`);
}
