// A small hand-written SVG line chart: one chart per y field, one line per series.
// Used for continuous ratings over onset (per participant) and sync quality/drift over time.
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatCount } from '../lib/format';
import type { Series } from '../lib/plot-data';

export type { Series };

const COLORS = ['#2f6fdf', '#e0793b', '#1f9d6b', '#9b5de5', '#d64545', '#0f9fb8', '#b58b00', '#6b7280'];

function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 10_000) return formatCount(Math.round(v));
  if (a >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function LinePlot({ title, series, xLabel, categories }: { title: string; series: Series[]; xLabel: string; categories?: string[] | null }) {
  // Drawn in real pixels (no stretching), so labels keep their shape at any width.
  const ref = useRef<HTMLElement>(null);
  const [W, setW] = useState(800);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setW(Math.max(200, Math.round(el.clientWidth - 16)));
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const H = 170;
  const pad = { l: 46, r: 10, t: 10, b: 24 };
  const bounds = useMemo(() => {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const s of series) for (const [x, y] of s.points) {
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (categories) { y0 = -0.3; y1 = categories.length - 0.7; }
    if (y0 === y1) { y0 -= 1; y1 += 1; }
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    return { x0, x1, y0, y1 };
  }, [series, categories]);
  const sx = (x: number) => pad.l + ((x - bounds.x0) / (bounds.x1 - bounds.x0)) * (W - pad.l - pad.r);
  const sy = (y: number) => H - pad.b - ((y - bounds.y0) / (bounds.y1 - bounds.y0)) * (H - pad.t - pad.b);
  const xt = niceTicks(bounds.x0, bounds.x1, Math.max(2, Math.floor(W / 140)));
  const yt = categories ? categories.map((_, i) => i) : niceTicks(bounds.y0, bounds.y1, 4);

  return (
    <figure className="plot" style={{ margin: 0 }} data-testid="plot" ref={ref}>
      <div className="legend">
        <strong style={{ color: 'var(--text)' }}>{title}</strong>
        {series.slice(0, COLORS.length).map((s, i) => (
          <span key={s.name}><i style={{ background: COLORS[i % COLORS.length] }} />{s.name}</span>
        ))}
        {series.length > COLORS.length && <span>+{series.length - COLORS.length} more</span>}
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${title} over ${xLabel}, ${series.length} series`}>
        {yt.map((v) => (
          <g key={`y${v}`}>
            <line className="gridline" x1={pad.l} x2={W - pad.r} y1={sy(v)} y2={sy(v)} />
            <text x={pad.l - 6} y={sy(v) + 3} textAnchor="end">{categories ? categories[v] : shortNumber(v)}</text>
          </g>
        ))}
        {xt.map((v) => (
          <text key={`x${v}`} x={sx(v)} y={H - 8} textAnchor="middle">{shortNumber(v)}</text>
        ))}
        <line className="axis" x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} />
        <line className="axis" x1={pad.l} x2={pad.l} y1={pad.t} y2={H - pad.b} />
        {series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeWidth={1.5}
            vectorEffect="non-scaling-stroke"
            points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption className="visually-hidden">{xLabel}</figcaption>
    </figure>
  );
}
