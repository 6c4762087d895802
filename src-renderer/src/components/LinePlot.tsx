// A small hand-written SVG line chart: one chart per y field, one line per series.
// Used for continuous ratings, sync metrics and eye tracking over time (seconds).
// Hover shows the values under the cursor; dragging across the plot zooms into that span
// (Zoom in / Zoom out / Reset buttons do the same from the keyboard); the legend's entries
// switch their series on and off.
import { useId, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { formatCount } from '../lib/format';
import { nearestPoint, niceTicks, type Series } from '../lib/plot-data';

export type { Series };

const COLORS = ['#2f6fdf', '#e0793b', '#1f9d6b', '#9b5de5', '#d64545', '#0f9fb8', '#b58b00', '#6b7280', '#c2185b', '#5d4037', '#00897b', '#7cb342'];
const H = 190;
const PAD = { l: 48, r: 12, t: 10, b: 26 };

function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 10_000) return formatCount(Math.round(v));
  if (a >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export interface LinePlotProps {
  title: string;
  series: Series[];
  /** The x axis, e.g. "Time (s)". */
  xLabel: string;
  /** The y axis (the plotted field), e.g. "Value". */
  yLabel?: string;
  categories?: string[] | null;
  /** Extra words for the caption, e.g. "first 3,000 of 12,000 rows". */
  note?: string;
}

export function LinePlot({ title, series, xLabel, yLabel, categories, note }: LinePlotProps) {
  // Drawn in real pixels (no stretching), so labels keep their shape at any width.
  const ref = useRef<HTMLElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const captionId = useId();
  const [W, setW] = useState(800);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setW(Math.max(200, Math.round(el.clientWidth - 16)));
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const shown = useMemo(() => series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length] })).filter((s) => !hidden.has(s.name)), [series, hidden]);
  const full = useMemo(() => {
    let x0 = Infinity, x1 = -Infinity;
    for (const s of series) for (const [x] of s.points) { if (x < x0) x0 = x; if (x > x1) x1 = x; }
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    return { x0, x1 };
  }, [series]);
  const bounds = useMemo(() => {
    const [x0, x1] = zoom ?? [full.x0, full.x1];
    let y0 = Infinity, y1 = -Infinity;
    for (const s of shown) for (const [x, y] of s.points) {
      if (x < x0 || x > x1) continue;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (categories) { y0 = -0.3; y1 = categories.length - 0.7; }
    if (!Number.isFinite(y0)) { y0 = 0; y1 = 1; }
    if (y0 === y1) { y0 -= 1; y1 += 1; }
    return { x0, x1, y0, y1 };
  }, [shown, categories, zoom, full]);

  const sx = (x: number) => PAD.l + ((x - bounds.x0) / (bounds.x1 - bounds.x0)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - ((y - bounds.y0) / (bounds.y1 - bounds.y0)) * (H - PAD.t - PAD.b);
  const fromPx = (px: number) => bounds.x0 + ((px - PAD.l) / (W - PAD.l - PAD.r)) * (bounds.x1 - bounds.x0);
  const xt = niceTicks(bounds.x0, bounds.x1, Math.max(2, Math.floor(W / 140)));
  const yt = categories ? categories.map((_, i) => i) : niceTicks(bounds.y0, bounds.y1, 4);
  const yText = (v: number) => (categories ? categories[Math.round(v)] ?? shortNumber(v) : shortNumber(v));

  const pxOf = (e: PointerEvent<SVGSVGElement>) => {
    const r = svgRef.current!.getBoundingClientRect();
    return Math.max(PAD.l, Math.min(W - PAD.r, e.clientX - r.left));
  };
  const zoomBy = (factor: number) => {
    const [a, b] = zoom ?? [full.x0, full.x1];
    const mid = (a + b) / 2;
    const half = Math.min((full.x1 - full.x0) / 2, ((b - a) / 2) * factor);
    const next: [number, number] = [Math.max(full.x0, mid - half), Math.min(full.x1, mid + half)];
    setZoom(next[0] <= full.x0 && next[1] >= full.x1 ? null : next);
  };

  const hover = hoverX === null ? null : shown.map((s) => ({ s, p: nearestPoint(s.points, hoverX) })).filter((h) => h.p !== null);
  const tipX = hover && hover.length ? sx(hover[0].p![0]) : 0;
  const summary = `Line chart of ${yLabel ?? title} against ${xLabel}: ${shown.length} of ${series.length} series shown, from ${shortNumber(bounds.x0)} to ${shortNumber(bounds.x1)}${categories ? '' : `, values ${shortNumber(bounds.y0)} to ${shortNumber(bounds.y1)}`}.`;

  return (
    <figure className="plot" style={{ margin: 0 }} data-testid="plot" ref={ref} aria-labelledby={captionId}>
      <div className="legend">
        <strong style={{ color: 'var(--text)' }} id={captionId}>{title}{note ? <span className="view-sub"> ({note})</span> : null}</strong>
        {series.map((s, i) => (
          <button
            key={s.name}
            type="button"
            className="series"
            aria-pressed={!hidden.has(s.name)}
            title={hidden.has(s.name) ? `Show ${s.name}` : `Hide ${s.name}`}
            onClick={() => setHidden((h) => {
              const next = new Set(h);
              if (next.has(s.name)) next.delete(s.name); else next.add(s.name);
              return next;
            })}
          >
            <i style={{ background: COLORS[i % COLORS.length] }} />{s.name}
          </button>
        ))}
        <span style={{ flex: 1 }} />
        <button type="button" className="btn small ghost" onClick={() => zoomBy(0.5)} aria-label={`Zoom in on ${title}`}>Zoom in</button>
        <button type="button" className="btn small ghost" onClick={() => zoomBy(2)} disabled={!zoom} aria-label={`Zoom out of ${title}`}>Zoom out</button>
        {zoom && <button type="button" className="btn small" onClick={() => setZoom(null)} data-testid="reset-zoom">Reset zoom</button>}
      </div>
      <div className="plot-wrap">
        <svg
          ref={svgRef}
          viewBox={`0 0 ${W} ${H}`}
          width={W}
          height={H}
          role="img"
          aria-label={summary}
          onPointerMove={(e) => {
            const px = pxOf(e);
            setHoverX(fromPx(px));
            if (drag) setDrag({ ...drag, to: px });
          }}
          onPointerLeave={() => { setHoverX(null); setDrag(null); }}
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            const px = pxOf(e);
            setDrag({ from: px, to: px });
          }}
          onPointerUp={() => {
            if (drag && Math.abs(drag.to - drag.from) > 6) {
              const a = fromPx(Math.min(drag.from, drag.to));
              const b = fromPx(Math.max(drag.from, drag.to));
              if (b > a) setZoom([a, b]);
            }
            setDrag(null);
          }}
          onDoubleClick={() => setZoom(null)}
        >
          <defs>
            <clipPath id={`${captionId}-clip`}>
              <rect x={PAD.l} y={PAD.t} width={W - PAD.l - PAD.r} height={H - PAD.t - PAD.b} />
            </clipPath>
          </defs>
          {yt.map((v) => (
            <g key={`y${v}`}>
              <line className="gridline" x1={PAD.l} x2={W - PAD.r} y1={sy(v)} y2={sy(v)} />
              <text x={PAD.l - 6} y={sy(v) + 3} textAnchor="end">{yText(v)}</text>
            </g>
          ))}
          {xt.map((v) => (
            <text key={`x${v}`} x={sx(v)} y={H - 10} textAnchor="middle">{shortNumber(v)}</text>
          ))}
          <text x={W - PAD.r} y={H - 1} textAnchor="end">{xLabel}</text>
          <line className="axis" x1={PAD.l} x2={W - PAD.r} y1={H - PAD.b} y2={H - PAD.b} />
          <line className="axis" x1={PAD.l} x2={PAD.l} y1={PAD.t} y2={H - PAD.b} />
          <g clipPath={`url(#${captionId}-clip)`}>
            {shown.map((s) => (
              <polyline
                key={s.name}
                fill="none"
                stroke={s.color}
                strokeWidth={1.5}
                vectorEffect="non-scaling-stroke"
                points={s.points.filter(([x]) => x >= bounds.x0 - (bounds.x1 - bounds.x0) && x <= bounds.x1 + (bounds.x1 - bounds.x0)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}
              />
            ))}
            {hover && hover.length > 0 && (
              <>
                <line className="hover-line" x1={tipX} x2={tipX} y1={PAD.t} y2={H - PAD.b} />
                {hover.map(({ s, p }) => <circle key={s.name} cx={sx(p![0])} cy={sy(p![1])} r={3} fill={s.color} />)}
              </>
            )}
          </g>
          {drag && Math.abs(drag.to - drag.from) > 2 && (
            <rect className="zoom-box" x={Math.min(drag.from, drag.to)} y={PAD.t} width={Math.abs(drag.to - drag.from)} height={H - PAD.t - PAD.b} />
          )}
        </svg>
        {hover && hover.length > 0 && !drag && (
          <div className="plot-tip" data-testid="plot-tip" style={{ left: Math.min(tipX + 12, W - 200), top: 8 }} role="status">
            <div className="k">{xLabel}: {shortNumber(hover[0].p![0])}</div>
            {hover.slice(0, 8).map(({ s, p }) => (
              <div key={s.name}><i style={{ background: s.color }} />{s.name}: <strong>{yText(p![1])}</strong></div>
            ))}
            {hover.length > 8 && <div className="k">+{hover.length - 8} more</div>}
          </div>
        )}
      </div>
    </figure>
  );
}
