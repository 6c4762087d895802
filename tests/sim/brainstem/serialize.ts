// Turns rows into served records: fields in documented order, relations as ids (only those visible
// in the caller's scope), include[]=rel.* expanded either embedded in place or, with sideloading,
// moved to top-level buckets keyed by the related plural (DREST's SideloadingProcessor: children
// before parents, deduplicated by id, a secondary record of the primary type under "+<plural>").
import type { Row, Store } from './data/store';
import type { Visibility } from './data/visibility';
import { isRelation, modelSpec } from './models';
import type { FieldTree } from './query/parse';
import type { JsonRecord } from './types';

export class Serializer {
  /** Sideloaded records by bucket key, in the order DREST would add them; null when embedding. */
  readonly buckets: Map<string, Map<string, JsonRecord>> | null;

  constructor(
    private readonly store: Store,
    private readonly visibility: Visibility,
    sideloading: boolean,
    private readonly primaryPlural: string,
  ) {
    this.buckets = sideloading ? new Map() : null;
  }

  record(model: string, row: Row, tree: FieldTree): JsonRecord {
    const spec = modelSpec(model);
    const out: JsonRecord = {};
    for (const [field, f] of Object.entries(spec.fields)) {
      const t = tree[field];
      if (t === false) continue;
      if (!isRelation(f)) {
        out[field] = this.store.value(model, row, field);
        continue;
      }
      const target = f.target!;
      const related = this.store
        .relatedIds(model, row, field)
        .map((id) => this.visibility.get(target, id))
        .filter((r): r is Row => r !== undefined);
      const ids = related.map((r) => r.id);
      if (typeof t === 'object') {
        const objects = related.map((r) => this.record(target, r, t));
        if (this.buckets) {
          for (const o of objects) this.sideload(target, o);
          out[field] = f.type === 'fk' ? (ids[0] ?? null) : ids;
        } else out[field] = f.type === 'fk' ? (objects[0] ?? null) : objects;
      } else out[field] = f.type === 'fk' ? (ids[0] ?? null) : ids;
    }
    return out;
  }

  private sideload(model: string, record: JsonRecord): void {
    const plural = modelSpec(model).listKey;
    const key = plural === this.primaryPlural ? `+${plural}` : plural;
    let bucket = this.buckets!.get(key);
    if (!bucket) this.buckets!.set(key, (bucket = new Map()));
    const seen = bucket.get(record.id as string);
    if (seen) Object.assign(seen, record);
    else bucket.set(record.id as string, record);
  }

  /** The sideload buckets as top-level response keys (empty when embedding). */
  sideloaded(): JsonRecord {
    const out: JsonRecord = {};
    for (const [key, bucket] of this.buckets ?? []) out[key] = [...bucket.values()];
    return out;
  }
}
