// A line of facts about an item beside its heading: the values of its level's default columns
// (not its name, id or nested values), badges as badges, and its id when a name is shown instead.
import type { LevelDescriptor, PathStep } from '../../../src-shared/model';
import { formatCell } from '../lib/cells';
import { cap, factColumns, itemLabel, lowerFirst } from '../lib/levels';
import { useHierarchy } from '../model-context';
import { itemAt } from '../stores/hierarchy-store';
import { StatusBadge } from './Badge';

const empty = (v: unknown) => v === null || v === undefined || v === '';

export function ItemFacts({ path, level }: { path: PathStep[]; level: LevelDescriptor | undefined }) {
  const item = useHierarchy((h) => itemAt(h, path));
  const id = path.at(-1)?.id ?? '';
  const named = itemLabel(item, level, id) !== id;
  const facts = item ? factColumns(level).filter((c) => !empty(item[c.key])) : [];
  if (!named && facts.length === 0) return null;
  return (
    <span className="view-sub facts" data-testid="item-facts">
      {named && <span title={`${cap(level?.singular ?? 'item')} id`}>{id}</span>}
      {facts.map((c) => (c.kind === 'badge'
        // A yes/no badge says what it is about ("Public", "Not public"), not "True".
        ? <span key={c.key} title={c.label}><StatusBadge value={typeof item![c.key] === 'boolean' ? (item![c.key] ? c.label : `Not ${lowerFirst(c.label)}`) : item![c.key]} /></span>
        : <span key={c.key} title={c.label}>{c.label} {formatCell(item![c.key], c.kind)}</span>))}
    </span>
  );
}
