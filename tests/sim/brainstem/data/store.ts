// The records, by model, in insertion order (the API's default order). Rows hold forward fields
// only; reverse relations (project.sessions, session.dataacquisition, …) come from an index kept
// up to date on every insert, so appended records show up everywhere at once.
import type { JsonRecord } from '../../types';
import { MODELS, modelSpec } from '../models';

export type Row = JsonRecord & { id: string };

export class Store {
  private readonly rows = new Map<string, Row[]>();
  private readonly byId = new Map<string, Map<string, Row>>();
  /** "model.field" → target id → ids of `model` rows pointing at it. */
  private readonly pointers = new Map<string, Map<string, string[]>>();

  /** Forward relation fields per model, with their pointer index. */
  private readonly forward = new Map<string, Array<{ field: string; many: boolean; index: Map<string, string[]> }>>();

  constructor() {
    for (const [name, spec] of MODELS) {
      this.rows.set(name, []);
      this.byId.set(name, new Map());
      const rels = Object.entries(spec.fields).filter(([, f]) => !f.reverseOf && (f.type === 'fk' || f.type === 'many'));
      this.forward.set(
        name,
        rels.map(([field, f]) => ({ field, many: f.type === 'many', index: this.index(`${name}.${field}`) })),
      );
    }
  }

  insert(model: string, row: Row): Row {
    const ids = this.byId.get(model)!;
    if (ids.has(row.id)) throw new Error(`duplicate ${model} id ${row.id}`);
    for (const field of Object.keys(modelSpec(model).fields)) {
      if (!(field in row) && !modelSpec(model).fields[field].reverseOf) throw new Error(`${model} row lacks ${field}`);
    }
    for (const { field, many, index } of this.forward.get(model)!) {
      const v = row[field];
      const targets = many ? (v as string[]) : v === null ? [] : [v as string];
      for (const t of targets) {
        const list = index.get(t);
        if (list) list.push(row.id);
        else index.set(t, [row.id]);
      }
    }
    this.rows.get(model)!.push(row);
    ids.set(row.id, row);
    return row;
  }

  private index(key: string): Map<string, string[]> {
    let m = this.pointers.get(key);
    if (!m) this.pointers.set(key, (m = new Map()));
    return m;
  }

  all(model: string): readonly Row[] {
    return this.rows.get(model) ?? [];
  }

  get(model: string, id: string): Row | undefined {
    return this.byId.get(model)?.get(id);
  }

  /** A field's value: the stored one, or for a reverse relation the ids pointing at this row. */
  value(model: string, row: Row, field: string): unknown {
    const f = modelSpec(model).fields[field];
    if (f?.reverseOf) return this.pointers.get(`${f.target}.${f.reverseOf}`)?.get(row.id) ?? [];
    return row[field];
  }

  /** Related ids of a relation field (fk or many) as a list. */
  relatedIds(model: string, row: Row, field: string): string[] {
    const v = this.value(model, row, field);
    if (Array.isArray(v)) return v as string[];
    return v === null || v === undefined ? [] : [v as string];
  }

  count(model: string): number {
    return this.all(model).length;
  }
}
