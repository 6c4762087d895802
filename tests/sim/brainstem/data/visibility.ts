// Who sees a record (reference §1.1, §7.3): the private portal shows a user the records of the
// projects they are a member of; the public portal shows anyone the records of public projects.
import { modelSpec } from '../models';
import type { Portal, SimUser } from '../types';
import type { Row, Store } from './store';

export interface Scope {
  portal: Portal;
  /** The authenticated user; null on the public portal without a token. */
  user: SimUser | null;
}

/** Visibility for one request's scope, memoised: a list walks the same parents many times. */
export class Visibility {
  /** Keyed by row object: rows are unique per model and live as long as the store. */
  private readonly memo = new Map<Row, boolean>();

  constructor(
    private readonly store: Store,
    readonly scope: Scope,
  ) {}

  of(model: string, row: Row): boolean {
    let v = this.memo.get(row);
    if (v === undefined) this.memo.set(row, (v = this.decide(model, row)));
    return v;
  }

  /** The row behind an id, if it exists and is visible. */
  get(model: string, id: string): Row | undefined {
    const row = this.store.get(model, id);
    return row && this.of(model, row) ? row : undefined;
  }

  private decide(model: string, row: Row): boolean {
    const v = modelSpec(model).visibility;
    const { portal, user } = this.scope;
    switch (v.kind) {
      case 'project':
        return portal === 'public' ? row.is_public === true : !!user?.projectIds.includes(row.id);
      case 'projects':
        return (row.projects as string[]).some((id) => this.get('project', id) !== undefined);
      case 'parent':
        return this.get(modelSpec(model).fields[v.field].target!, row[v.field] as string) !== undefined;
      case 'isPublic':
        return portal === 'private' ? user !== null : row.is_public === true;
      case 'reference':
        return true;
    }
  }
}
