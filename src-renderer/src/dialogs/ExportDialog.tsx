// The export dialog: what to download, how to package it, how to anonymize it, where it goes,
// and the plan (requests, time under the rate limits, current budget) before anything starts.
// Types the key cannot read are unticked and say why; "Export this table" exports exactly what
// a table shows (its rows and visible columns). Start uses the plan shown here (no second plan).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AnonymizeMode, DataTypeId, ExportFormat, ExportRequest, Plan, SplitMode } from '../../../src-shared/model';
import type { ErrorInfo } from '../../../src-shared/errors';
import { Dialog } from '../components/Dialog';
import { ErrorBox, ViewError, Words } from '../components/ErrorBox';
import { SaveCodeMap } from '../components/SaveCodeMap';
import { missingScopeOf, typesAt } from '../lib/data-types';
import { toUiError } from '../lib/errors';
import { anonymizeChoices, isoToLocal, localToIso, rangeInverted, splitChoicesAt } from '../lib/export-options';
import { formatBytes, formatCount, formatSeconds, plural } from '../lib/format';
import { levelOf, mediaNoun } from '../lib/levels';
import { useApp, useHierarchy, useModel, useUi } from '../model-context';
import { itemKey } from '../stores/hierarchy-store';

/** "about 6 s", "a second or two", "about 3 min". */
function estimate(seconds: number): string {
  if (seconds < 2) return 'a second or two';
  return `about ${formatSeconds(seconds)}`;
}

function PlanView({ plan, hideWarning, mediaLabel }: { plan: Plan; hideWarning: (w: string) => boolean; mediaLabel: string }) {
  const warnings = plan.warnings.filter((w) => !hideWarning(w));
  return (
    <div data-testid="plan">
      <div className="plan">
        <div><div className="k">Records</div><div className="v" data-testid="plan-records">{formatCount(plan.records)}</div></div>
        <div><div className="k">Requests</div><div className="v" data-testid="plan-requests">{formatCount(plan.requestsNeeded)}</div></div>
        <div><div className="k">Estimated time</div><div className="v" data-testid="plan-time">{estimate(plan.estimatedSeconds)}</div></div>
        <div><div className="k">{mediaLabel}</div><div className="v">{plan.mediaFiles ? `${plural(plan.mediaFiles, 'file')} · ${formatBytes(plan.mediaBytes)}` : 'none'}</div></div>
      </div>
      <div className="view-sub" style={{ marginTop: 6 }} data-testid="plan-budget">
        Rate budget now: {plan.budget.summary}.{plan.requestsSpentPlanning > 0 && ` Working out this plan used ${plural(plan.requestsSpentPlanning, 'request')} of the ${formatCount(plan.requestsNeeded)}; Start uses its results.`}
        {plan.mediaReserve > 0 && ` ${plural(plan.mediaReserve, 'request')} of these ${plan.mediaReserve === 1 ? 'is' : 'are'} held in reserve, spent only if a file’s link expires before its download.`}
      </div>
      {warnings.length > 0 && <div className="warn-box" style={{ marginTop: 6 }} role="status">{warnings.map((w, i) => <div key={i}><Words text={w} /></div>)}</div>}
    </div>
  );
}

export function ExportDialog() {
  const model = useModel();
  const req = useUi((s) => s.exportDialog)!;
  const descriptor = useApp((s) => s.descriptor);
  const settings = useApp((s) => s.settings);
  const caps = useApp((s) => s.appInfo?.capabilities);
  const access = useApp((s) => s.keyAccess);
  const reconnects = useApp((s) => s.reconnects);
  // Records per type of the target item, where its level declares counts and they were loaded.
  const targetLevel = levelOf(descriptor?.levels ?? [], req.target.level);
  const itemCounts = useHierarchy((s) => (targetLevel?.counts ? s.counts[itemKey(req.target.path)] : undefined));
  const view = req.view;
  const splitChoices = useMemo(() => (view ? splitChoicesAt(null, req.target.level) : splitChoicesAt(descriptor, req.target.level)), [descriptor, req.target.level, view]);
  const anonymizeModes = useMemo(() => anonymizeChoices(descriptor), [descriptor]);

  const available = useMemo(() => typesAt(descriptor, req.target.level).filter((d) => !view || req.types?.includes(d.id)), [descriptor, req.target.level, view, req.types]);
  const blocked = useMemo(() => new Map(available.map((d) => [d.id, missingScopeOf(d, access)] as const).filter(([, s]) => !!s)), [available, access]);
  const [types, setTypes] = useState<Set<DataTypeId>>(() => new Set((req.types ?? available.map((d) => d.id)).filter((id) => !blocked.has(id))));
  // Types found unreadable after the dialog opened (the key's scopes arrive) are unticked too.
  useEffect(() => {
    if (blocked.size) setTypes((s) => new Set([...s].filter((id) => !blocked.has(id))));
  }, [blocked]);
  useEffect(() => { void model.loadKeyAccess(req.target.path); }, [model, req.target.path]);

  const preset = req.preset ?? {};
  const [format, setFormat] = useState<ExportFormat>(preset.format ?? settings?.defaultFormat ?? 'csv');
  const [zip, setZip] = useState(preset.zip ?? settings?.zip ?? true);
  const [split, setSplit] = useState<SplitMode>(() => {
    const wanted = preset.split ?? settings?.split ?? 'none';
    return splitChoices.some((c) => c.id === wanted) ? wanted : 'none';
  });
  const [anonymize, setAnonymize] = useState<AnonymizeMode>(() => {
    const wanted = preset.anonymize ?? settings?.anonymize ?? 'keep';
    return anonymizeModes.some((c) => c.mode === wanted) ? wanted : (anonymizeModes[0]?.mode ?? 'keep');
  });
  const [since, setSince] = useState(() => isoToLocal(preset.since));
  const [until, setUntil] = useState(() => isoToLocal(preset.until));
  const [includeRecordings, setIncludeRecordings] = useState(preset.includeRecordings ?? true);
  const [bom, setBom] = useState(preset.bom ?? settings?.bom ?? true);
  // Off by default: analysis needs the values exactly as recorded. A finished export says when
  // its CSV files hold cells a spreadsheet would run, and offers to export again with it on.
  const [formulaProtection, setFormulaProtection] = useState(preset.formulaProtection ?? settings?.formulaProtection ?? false);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [planError, setPlanError] = useState<ErrorInfo | null>(null);
  const [planning, setPlanning] = useState(false);
  const [typeTotals, setTypeTotals] = useState<Partial<Record<DataTypeId, number>>>({});
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ErrorInfo | null>(null);

  const sinceIso = localToIso(since);
  const untilIso = localToIso(until);
  const inverted = rangeInverted(sinceIso, untilIso);
  const hasMedia = !view && available.some((d) => d.media && types.has(d.id));
  const typeList = useMemo(() => available.map((d) => d.id).filter((id) => types.has(id)), [available, types]);

  // Re-plan (debounced) whenever what is asked changes, and once more when the server is back.
  const planErrorRef = useRef(planError);
  planErrorRef.current = planError;
  const [replan, setReplan] = useState(0);
  const firstReconnects = useRef(reconnects);
  useEffect(() => {
    if (reconnects !== firstReconnects.current && planErrorRef.current) setReplan((n) => n + 1);
  }, [reconnects]);
  useEffect(() => {
    if (typeList.length === 0 || inverted) { setPlan(null); return; }
    let cancelled = false;
    setPlanning(true);
    const t = setTimeout(() => {
      model.planExport({
        target: req.target, types: typeList, includeRecordings: hasMedia && includeRecordings,
        ...(sinceIso ? { since: sinceIso } : {}), ...(untilIso ? { until: untilIso } : {}),
      }).then((p) => {
        if (cancelled) return;
        setPlan(p);
        setPlanError(null);
        setTypeTotals((prev) => {
          const byType: Partial<Record<DataTypeId, number>> = {};
          for (const s of p.streams) byType[s.type] = (byType[s.type] ?? 0) + s.total;
          return sinceIso || untilIso ? prev : { ...prev, ...byType };
        });
      }, (e) => { if (!cancelled) { setPlan(null); setPlanError(toUiError(e)); } })
        .finally(() => { if (!cancelled) setPlanning(false); });
    }, 350);
    return () => { cancelled = true; clearTimeout(t); };
  }, [model, req.target, typeList, includeRecordings, hasMedia, sinceIso, untilIso, inverted, replan]);

  const countFor = (id: DataTypeId): number | undefined =>
    itemCounts && typeof itemCounts === 'object' && itemCounts.counts[id] !== undefined ? itemCounts.counts[id] : typeTotals[id];

  const close = () => model.ui.setState({ exportDialog: null });
  const start = async () => {
    setStarting(true);
    setStartError(null);
    const request: ExportRequest = {
      target: req.target, types: typeList, format, zip, split, anonymize,
      ...(sinceIso ? { since: sinceIso } : {}), ...(untilIso ? { until: untilIso } : {}),
      includeRecordings: hasMedia && includeRecordings,
      bom: format === 'csv' ? bom : false,
      formulaProtection,
      ...(view ? { view } : {}),
    };
    try {
      await model.startExport(request);
    } catch (e) {
      setStartError(toUiError(e));
      setStarting(false);
    }
  };

  // Warnings about types the key cannot read are said beside those types instead.
  const blockedLabels = [...blocked.keys()].map((id) => available.find((d) => d.id === id)?.label ?? id);
  const hideWarning = (w: string) => blockedLabels.some((l) => w.startsWith(`${l}:`));
  const mediaType = available.find((d) => d.media);
  const noun = mediaNoun(mediaType);
  const recordingsBlocked = available.find((d) => d.media && blocked.has(d.id));
  return (
    <Dialog
      title={`Download ${req.title}`}
      onClose={close}
      wide
      testId="export-dialog"
      footer={
        <>
          <span className="view-sub grow">{planning ? 'Working out the plan…' : plan ? `${plural(plan.requestsNeeded, 'request')} · ${plural(plan.records, 'record')}` : ''}</span>
          <button type="button" className="btn" onClick={close}>Cancel</button>
          <button type="button" className="btn primary" data-testid="start-export" disabled={starting || typeList.length === 0 || inverted || !!planError} onClick={() => void start()}>
            {starting ? 'Starting…' : 'Start download'}
          </button>
        </>
      }
    >
      {view ? (
        <div className="table-view-facts" data-testid="view-facts" role="note">
          Exactly what the table shows: {req.viewRows !== undefined ? plural(req.viewRows, 'row') : 'its rows'}
          {Object.keys(view.filters ?? {}).length || view.search ? ' (filtered)' : ''}, in its order, with its {plural(view.columns?.length ?? 0, 'visible column')}.
        </div>
      ) : (
        <fieldset>
          <legend>Data types</legend>
          <div className="types-list">
            {available.map((d) => {
              const n = countFor(d.id);
              const scope = blocked.get(d.id);
              return (
                <label key={d.id} className={`checkbox${n === 0 ? ' empty-type' : ''}${scope ? ' blocked-type' : ''}`} data-blocked={scope ? '' : undefined}>
                  <input
                    type="checkbox"
                    name={`type-${d.id}`}
                    checked={types.has(d.id)}
                    disabled={!!scope}
                    onChange={(e) => setTypes((s) => { const next = new Set(s); if (e.target.checked) next.add(d.id); else next.delete(d.id); return next; })}
                  />
                  <span>
                    {d.label} <span className="view-sub">{n === undefined || scope ? '' : formatCount(n)}</span>
                    {scope && <span className="why">This key can’t read it (it needs the {scope} permission).</span>}
                  </span>
                </label>
              );
            })}
          </div>
          <div className="row-gap">
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set(available.filter((d) => !blocked.has(d.id)).map((d) => d.id)))}>All</button>
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set(available.filter((d) => !blocked.has(d.id) && (countFor(d.id) ?? 1) > 0).map((d) => d.id)))}>Only with data</button>
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set())}>None</button>
          </div>
        </fieldset>
      )}
      {planError && <ViewError error={planError} what="The plan" />}
      {plan && !planError && <PlanView plan={plan} hideWarning={hideWarning} mediaLabel={mediaType?.label ?? 'Files'} />}
      {!plan && !planError && planning && <div className="plan" aria-busy="true"><span className="skeleton" /><span className="skeleton" /><span className="skeleton" /><span className="skeleton" /></div>}
      <div className="two-col">
        <fieldset>
          <legend>Format</legend>
          <div className="segmented" role="radiogroup" aria-label="Format">
            {(['csv', 'json', 'ndjson'] as const).map((f) => (
              <label key={f}><input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />{f.toUpperCase()}</label>
            ))}
          </div>
          {format === 'csv' && (
            <label className="checkbox"><input type="checkbox" checked={bom} onChange={(e) => setBom(e.target.checked)} />Add a BOM so Excel reads UTF-8 correctly</label>
          )}
          <label className="checkbox">
            <input type="checkbox" name="formula-protection" checked={formulaProtection} onChange={(e) => setFormulaProtection(e.target.checked)} />
            Protect against spreadsheet formulas
          </label>
          <p className="explain" data-testid="formula-explain">
            {formulaProtection
              ? "Text cells starting with = + - @ get a leading ' so Excel shows them as text. Numbers are never changed."
              : 'Values stay exactly as recorded (best for R, Python, SPSS). You will be told if any text cells look like formulas.'}
          </p>
        </fieldset>
        <fieldset>
          <legend>Packaging</legend>
          <div className="segmented" role="radiogroup" aria-label="Packaging">
            <label><input type="radio" name="zip" checked={zip} onChange={() => setZip(true)} />ZIP file</label>
            <label><input type="radio" name="zip" checked={!zip} onChange={() => setZip(false)} />Folder</label>
          </div>
          {splitChoices.length > 1 && (
            <label className="field">
              <span className="field-label">Split</span>
              <select className="select" value={split} onChange={(e) => setSplit(e.target.value as SplitMode)} aria-label="Split">
                {splitChoices.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
              </select>
            </label>
          )}
        </fieldset>
      </div>
      <fieldset>
        <legend>Anonymization</legend>
        {anonymizeModes.length === 1 ? (
          <p className="explain" data-testid="anonymize-only">{anonymizeModes[0].explain}</p>
        ) : anonymizeModes.map((m) => (
          <div key={m.mode}>
            <label className="checkbox">
              <input type="radio" name="anonymize" value={m.mode} checked={anonymize === m.mode} onChange={() => setAnonymize(m.mode)} />
              <span style={{ fontWeight: 550 }}>{m.label}</span>
            </label>
            <p className="explain">{m.explain}</p>
            {m.mode === 'pseudonymize' && anonymize === 'pseudonymize' && (
              <div style={{ marginTop: 4 }}><SaveCodeMap path={req.target.path} /></div>
            )}
          </div>
        ))}
      </fieldset>
      <div className="two-col">
        <fieldset>
          <legend>Time range <span style={{ fontWeight: 400 }}>(optional)</span></legend>
          <div className="row-gap">
            <input className="input" type="datetime-local" aria-label="From" value={since} onChange={(e) => setSince(e.target.value)} />
            <span className="view-sub">to</span>
            <input className="input" type="datetime-local" aria-label="Until" value={until} onChange={(e) => setUntil(e.target.value)} />
          </div>
          {inverted && <div className="error-box" role="alert"><div className="msg">The range ends before it starts.</div><div className="fix">Swap the two dates.</div></div>}
        </fieldset>
        {!view && (
          <fieldset>
            <legend>{mediaType?.label ?? 'Files'}</legend>
            {recordingsBlocked ? (
              <span className="view-sub blocked-type">This key can’t download {recordingsBlocked.label.toLowerCase()} (it needs the {blocked.get(recordingsBlocked.id)} permission).</span>
            ) : mediaType ? (
              <label className="checkbox">
                <input type="checkbox" name="include-recordings" checked={includeRecordings && hasMedia} disabled={!hasMedia} onChange={(e) => setIncludeRecordings(e.target.checked)} />
                <span>
                  Include the {noun} files{plan && hasMedia && includeRecordings && !planning ? (plan.mediaFiles > 0 ? ` (${plural(plan.mediaFiles, 'file')}, ${formatBytes(plan.mediaBytes)})` : ' (none here)') : ''}
                  {!hasMedia && <span className="view-sub"> (select {mediaType.label} above)</span>}
                </span>
              </label>
            ) : <span className="view-sub">None at this level.</span>}
          </fieldset>
        )}
      </div>
      <div className="field">
        <span className="field-label">Destination</span>
        <div className="row-gap">
          <span className="path" data-testid="destination">{settings?.downloadFolder ?? '—'}</span>
          {caps?.chooseFolder && <button type="button" className="btn small" onClick={() => void model.chooseDownloadFolder()}>Change…</button>}
        </div>
        {!caps?.chooseFolder && <span className="hint">Browser mode saves into the server's download folder{caps?.downloadLink ? '; you can also download the result from here when it is done.' : '.'}</span>}
      </div>
      {startError && <ErrorBox error={startError} />}
    </Dialog>
  );
}
