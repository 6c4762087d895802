// Table layouts the researcher chose (visible columns, sort, filters, widths), remembered per data
// type across restarts. Kept by the core in <config>/view-state.json because the browser-mode
// page has a new origin (port) on every run, so the page's own storage would forget them.
// Small, validated on the way in (contract), written atomically; a damaged file is set aside.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TableViewState } from '../../../src-shared/model';
import type { Logger } from '../ports';

export interface ViewStateStore {
  all(): Record<string, TableViewState>;
  set(key: string, value: TableViewState | null): void;
}

const MAX_ENTRIES = 300;

export function createViewStateStore(dir: string, logger?: Logger): ViewStateStore {
  const file = path.join(dir, 'view-state.json');
  let entries: Record<string, TableViewState> = Object.create(null) as Record<string, TableViewState>;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) entries[k] = v as TableViewState;
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger?.warn('view-state.json could not be read; starting with default table layouts', { error: (e as Error).message });
      try {
        renameSync(file, `${file}.damaged-${Date.now()}`);
      } catch {
        // nothing to keep
      }
    }
  }

  const save = () => {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entries) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  };

  return {
    all: () => ({ ...entries }),
    set(key, value) {
      const next = Object.create(null) as Record<string, TableViewState>;
      for (const [k, v] of Object.entries(entries)) if (k !== key) next[k] = v;
      if (value) next[key] = value;
      // The oldest layouts go first when there are too many (insertion order).
      const keys = Object.keys(next);
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete next[k];
      entries = next;
      try {
        save();
      } catch (e) {
        logger?.warn('table layout could not be saved', { error: (e as Error).message });
      }
    },
  };
}
