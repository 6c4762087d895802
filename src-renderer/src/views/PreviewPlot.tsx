// Fetches up to a few thousand rows sorted by the plot's x and draws one chart per y field,
// in seconds on the x axis, one line per series named as the app names it (items of a level by name).
import { useEffect, useState, type ComponentType } from 'react';
import type { DataTypeDescriptor, Target } from '../../../src-shared/model';
import type { LinePlotProps, Series } from '../components/LinePlot';
import { formatCount } from '../lib/format';
import { axisFor } from '../lib/plot-data';
import { useApp, useModel } from '../model-context';

const MAX_PAGES = 3;

export function PreviewPlot(props: {
  target: Target;
  dt: DataTypeDescriptor;
  build: (rows: Array<Record<string, unknown>>, x: string, y: string, seriesBy: string, maxSeries?: number, divideX?: number) => { series: Series[]; categories: string[] | null };
  Plot: ComponentType<LinePlotProps>;
  /** The table's stream finished: refetch once so the plot shows every point, not the first batch. */
  complete: boolean;
  /** What a series is called (e.g. a person's name for their id). */
  seriesName?: (value: string) => string;
}) {
  const { target, dt, build, Plot, complete, seriesName } = props;
  const model = useModel();
  const reconnects = useApp((s) => s.reconnects);
  const plot = dt.plot!;
  const [rows, setRows] = useState<Array<Record<string, unknown>> | null>(null);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const acc: Array<Record<string, unknown>> = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await model.api.getPreview({ target, type: dt.id, offset: page * 1000, limit: 1000, sort: { key: plot.x, dir: 'asc' } });
        acc.push(...res.rows);
        setTotal(res.totalRows);
        if (acc.length >= res.totalRows || res.rows.length < 1000) break;
      }
      if (!cancelled) setRows(acc);
    })().catch(() => { if (!cancelled) setRows([]); });
    return () => { cancelled = true; };
  }, [model, target, dt.id, plot.x, complete, reconnects]);

  if (!rows) return <div className="plot" aria-busy="true"><span className="skeleton" style={{ height: 150, width: '100%' }} /></div>;
  const axis = axisFor(dt.columns.find((c) => c.key === plot.x), plot.x);
  const charts = plot.y
    .map((y) => {
      const built = build(rows, plot.x, y, plot.seriesBy, 12, axis.divide);
      return { y, ...built, series: built.series.map((s) => ({ ...s, name: seriesName?.(s.name) ?? s.name })) };
    })
    .filter((c) => c.series.length > 0);
  if (charts.length === 0) return null;
  const label = (key: string) => dt.columns.find((c) => c.key === key)?.label ?? key;
  const note = rows.length < total ? `first ${formatCount(rows.length)} of ${formatCount(total)} rows` : undefined;
  const over = axis.divide !== 1 || /time/i.test(axis.label) ? 'over time' : `by ${axis.label}`;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: charts.length > 1 ? 'minmax(0, 1fr) minmax(0, 1fr)' : 'minmax(0, 1fr)', gap: 8 }}>
      {charts.map((c) => (
        <Plot key={c.y} title={`${label(c.y)} ${over}`} yLabel={label(c.y)} series={c.series} categories={c.categories} xLabel={axis.label} {...(note ? { note } : {})} />
      ))}
    </div>
  );
}
