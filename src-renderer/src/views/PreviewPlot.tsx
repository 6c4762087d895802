// Fetches up to a few thousand rows sorted by the plot's x and draws one chart per y field.
import { useEffect, useState, type ComponentType } from 'react';
import type { DataTypeDescriptor } from '../../../src-shared/model';
import { toTarget, type UiTarget as Target } from '../lib/ui-target';
import type { Series } from '../components/LinePlot';
import { formatCount } from '../lib/format';
import { useModel } from '../model-context';

const MAX_PAGES = 3;

export function PreviewPlot(props: {
  target: Target;
  dt: DataTypeDescriptor;
  build: (rows: Array<Record<string, unknown>>, x: string, y: string, seriesBy: string) => { series: Series[]; categories: string[] | null };
  Plot: ComponentType<{ title: string; series: Series[]; xLabel: string; categories?: string[] | null }>;
  /** The table's stream finished: refetch once so the plot shows every point, not the first batch. */
  complete: boolean;
}) {
  const { target, dt, build, Plot, complete } = props;
  const model = useModel();
  const plot = dt.plot!;
  const [rows, setRows] = useState<Array<Record<string, unknown>> | null>(null);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const acc: Array<Record<string, unknown>> = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await model.api.getPreview({ target: toTarget(target), type: dt.id, offset: page * 1000, limit: 1000, sort: { key: plot.x, dir: 'asc' } });
        acc.push(...res.rows);
        setTotal(res.totalRows);
        if (acc.length >= res.totalRows || res.rows.length < 1000) break;
      }
      if (!cancelled) setRows(acc);
    })().catch(() => { if (!cancelled) setRows([]); });
    return () => { cancelled = true; };
  }, [model, target, dt.id, plot.x, complete]);

  if (!rows) return <div className="plot" aria-busy="true"><span className="skeleton" style={{ height: 150, width: '100%' }} /></div>;
  const charts = plot.y.map((y) => ({ y, ...build(rows, plot.x, y, plot.seriesBy) })).filter((c) => c.series.length > 0);
  if (charts.length === 0) return null;
  const label = (key: string) => dt.columns.find((c) => c.key === key)?.label ?? key;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: charts.length > 1 ? 'minmax(0, 1fr) minmax(0, 1fr)' : 'minmax(0, 1fr)', gap: 8 }}>
      {charts.map((c) => (
        <Plot key={c.y} title={`${label(c.y)} over ${label(plot.x)}${rows.length < total ? ` (first ${formatCount(rows.length)} of ${formatCount(total)})` : ''}`} series={c.series} categories={c.categories} xLabel={label(plot.x)} />
      ))}
    </div>
  );
}
