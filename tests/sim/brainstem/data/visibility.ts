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

export function isVisible(store: Store, model: string, row: Row, scope: Scope): boolean {
  const v = modelSpec(model).visibility;
  switch (v.kind) {
    case 'project':
      return scope.portal === 'public' ? row.is_public === true : !!scope.user?.projectIds.includes(row.id);
    case 'projects':
      return (row.projects as string[]).some((id) => {
        const p = store.get('project', id);
        return !!p && isVisible(store, 'project', p, scope);
      });
    case 'parent': {
      const target = modelSpec(model).fields[v.field].target!;
      const parent = store.get(target, row[v.field] as string);
      return !!parent && isVisible(store, target, parent, scope);
    }
    case 'isPublic':
      return scope.portal === 'private' ? scope.user !== null : row.is_public === true;
    case 'reference':
      return true;
  }
}
