// Command-line flags for the response shapes (npm run sim -- --room-field roomId …): one flag per
// shape, named after it in kebab case; boolean shapes are plain switches.
import { SHAPE_VALUES } from './shapes';
import type { ShapeConfig } from './types';

type ShapeName = keyof ShapeConfig;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const NAMES = Object.keys(SHAPE_VALUES) as ShapeName[];

/** parseArgs option definitions for every shape flag. */
export const SHAPE_FLAG_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(
  NAMES.map((n) => [kebab(n), { type: SHAPE_VALUES[n] === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
);

/** Usage lines for the shape flags. */
export const SHAPES_USAGE = `Shapes (defaults follow the API documentation; see docs/hyperstudy-api-notes.md):
${NAMES.map((n) => {
  const v = SHAPE_VALUES[n];
  return `  --${kebab(n)}${v === 'boolean' ? '' : v === 'number' ? ' N' : ` ${v.join('|')}`}`;
}).join('\n')}`;

/** The shapes the flags set, or an error message naming the bad flag. */
export function shapesFromFlags(values: Record<string, unknown>): Partial<ShapeConfig> | string {
  const out: Record<string, unknown> = {};
  for (const n of NAMES) {
    const raw = values[kebab(n)];
    if (raw === undefined) continue;
    const allowed = SHAPE_VALUES[n];
    if (allowed === 'boolean') out[n] = raw === true;
    else if (allowed === 'number') {
      const num = Number(raw);
      if (!Number.isFinite(num)) return `--${kebab(n)} must be a number, got "${String(raw)}"`;
      out[n] = num;
    } else if (allowed.includes(String(raw))) out[n] = raw;
    else return `--${kebab(n)} must be one of ${allowed.join(', ')}, got "${String(raw)}"`;
  }
  return out as Partial<ShapeConfig>;
}
