// `studydl ls` walks the source's level tree: `ls` lists the top level (HyperStudy: experiments),
// `ls <id>` the items below one (rooms), `ls <id>/<id>` the items below those (participants).
import type { LevelDescriptor, LevelItem } from '../../../src-shared/model';
import type { Column } from '../output';
import type { Command } from '../command';
import { EXIT } from '../command';
import { stringFlag } from '../args';
import { openSource } from '../context';
import { chooseModule, listingsAt, parseNodePath } from '../level-path';
import { humanDuration, table, waitNotice, write, writeJson, writeWarnings } from '../output';

const date = (s?: string) => (s ? s.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '');
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The level's terminal columns (its descriptor's, else id and label) as table columns. */
export function levelColumns(level: LevelDescriptor): Array<Column<LevelItem>> {
  const spec = level.terminalColumns ?? [
    { label: level.singular.toUpperCase(), keys: ['id'] },
    { label: 'NAME', keys: ['label'] },
  ];
  return spec.map((c) => ({
    label: c.label,
    ...(c.align ? { align: c.align } : {}),
    value: (item: LevelItem) => {
      const v = c.keys.map((k) => item[k]).find((x) => x !== undefined && x !== null);
      if (v === undefined || v === null) return c.kind === 'duration-ms' ? '' : undefined;
      if (c.kind === 'datetime') return date(String(v));
      if (c.kind === 'duration-ms') return typeof v === 'number' ? humanDuration(v / 1000) : String(v);
      if (c.kind === 'number') return typeof v === 'number' ? v : String(v);
      return typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
    },
  }));
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List the top level of the hierarchy (HyperStudy: experiments; BrainSTEM: projects), or the items below one (rooms, then participants; sessions, then a session’s records by type)',
  usage: 'studydl ls [<id>[/<id>]] [--source hyperstudy|brainstem] [--portal private|public] [--search TEXT] [--json]',
  async run(args, ctx) {
    const module = await chooseModule(args, ctx);
    const d = module.descriptor;
    const path = parseNodePath(d, args.positionals[0]);
    const { levels, parentPath } = listingsAt(d, path);
    const c = await openSource(args, ctx);
    const out = ctx.io.stdout;
    const onWait = waitNotice(ctx.io.stderr);
    try {
      const search = parentPath.length === 0 ? stringFlag(args, 'search') : undefined;
      const listed: Array<{ level: LevelDescriptor; items: LevelItem[] }> = [];
      const warnings: string[] = [];
      for (const level of levels) {
        const l = await c.source.listLevel(level.id, parentPath, { onWait, ...(search !== undefined ? { search } : {}) });
        listed.push({ level, items: l.items });
        warnings.push(...l.warnings);
      }
      writeWarnings(ctx.io.stderr, warnings);
      const key = (level: LevelDescriptor) => level.label.toLowerCase().replace(/\s+/g, '_');
      if (ctx.json) {
        writeJson(out, { ...Object.fromEntries(parentPath.map((s) => [`${s.level}Id`, s.id])), ...Object.fromEntries(listed.map((x) => [key(x.level), x.items])), warnings });
        return EXIT.ok;
      }
      const parent = parentPath[parentPath.length - 1];
      const parentLevel = parent && d.levels.find((l) => l.id === parent.level);
      const several = listed.length > 1;
      listed.forEach(({ level, items }, i) => {
        const plural = level.label.toLowerCase();
        if (several) write(out, `${i ? '\n' : ''}${level.label} (${items.length})`);
        if (!items.length) {
          if (several) return;
          write(out, parent ? `${capital(parentLevel?.singular ?? parent.level)} ${parent.id} has no ${plural} yet.` : `No ${plural} are visible to this key.`);
        } else write(out, table<LevelItem>(items, levelColumns(level)));
      });
      return EXIT.ok;
    } finally {
      await c.close();
    }
  },
};
