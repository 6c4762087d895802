// sort[]=field / sort[]=-field / sort[]=relation.field, as DREST's DynamicSortingFilter validates
// them. Nulls sort last ascending and first descending (PostgreSQL); strings compare by code point;
// ties keep the default (insertion) order. A path through a many-relation sorts by its first record.
import type { Row, Store } from '../data/store';
import { drf } from '../errors';
import { modelSpec, isRelation } from '../models';

interface SortKey {
  path: string[];
  desc: boolean;
}

function validPath(model: string, path: string[]): boolean {
  let spec = modelSpec(model);
  for (let i = 0; i < path.length; i++) {
    const f = spec.fields[path[i]];
    if (!f) return false;
    if (i === path.length - 1) return true;
    if (!isRelation(f)) return false;
    spec = modelSpec(f.target!);
  }
  return false;
}

export function parseSort(model: string, terms: string[]): SortKey[] {
  const keys: SortKey[] = [];
  const invalid: string[] = [];
  for (const term of terms) {
    const desc = term.startsWith('-');
    const path = term.replace(/^-+/, '').split('.');
    if (validPath(model, path)) keys.push({ path, desc });
    else invalid.push(term);
  }
  // DREST formats the Python list of bad terms into its message.
  if (invalid.length) throw drf.invalid(`Invalid filter field: [${invalid.map((t) => `'${t}'`).join(', ')}]`);
  return keys;
}

function valueAt(store: Store, model: string, row: Row, path: string[]): unknown {
  const f = modelSpec(model).fields[path[0]];
  if (path.length === 1) {
    const v = store.value(model, row, path[0]);
    return Array.isArray(v) ? (v[0] ?? null) : v;
  }
  const first = store.relatedIds(model, row, path[0])[0];
  const related = first === undefined ? undefined : store.get(f.target!, first);
  return related ? valueAt(store, f.target!, related, path.slice(1)) : null;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'object' && a !== null) a = JSON.stringify(a);
  if (typeof b === 'object' && b !== null) b = JSON.stringify(b);
  return a === b ? 0 : (a as string | number) < (b as string | number) ? -1 : 1;
}

export function sortRows(store: Store, model: string, rows: Row[], keys: SortKey[]): Row[] {
  if (keys.length === 0) return rows;
  const decorated = rows.map((row, i) => ({ row, i, values: keys.map((k) => valueAt(store, model, row, k.path)) }));
  decorated.sort((x, y) => {
    for (let k = 0; k < keys.length; k++) {
      const a = x.values[k];
      const b = y.values[k];
      const desc = keys[k].desc;
      if (a === null || a === undefined || b === null || b === undefined) {
        const an = a === null || a === undefined;
        const bn = b === null || b === undefined;
        if (an && bn) continue;
        return (an ? 1 : -1) * (desc ? -1 : 1);
      }
      const c = compare(a, b);
      if (c !== 0) return desc ? -c : c;
    }
    return x.i - y.i;
  });
  return decorated.map((d) => d.row);
}
