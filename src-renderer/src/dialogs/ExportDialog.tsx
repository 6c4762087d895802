// The export dialog: what to download, how to package it, how to anonymize it, where it goes,
// and the plan (requests, time under the rate limits, current budget) before anything starts.
import { useEffect, useMemo, useState } from 'react';
import type { AnonymizeMode, DataTypeId, ExportFormat, Plan, SplitMode } from '../../../src-shared/model';
import type { ErrorInfo } from '../../../src-shared/errors';
import { Dialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { toUiError } from '../lib/errors';
import { ANONYMIZE_INFO, SPLIT_LABEL, isoToLocal, localToIso, rangeInverted, splitOptionsFor } from '../lib/export-options';
import { formatBytes, formatCount, formatSeconds, plural } from '../lib/format';
import { useApp, useHierarchy, useModel, useUi } from '../model-context';
import { participantKey } from '../stores/hierarchy-store';
import type { UiExportRequest } from '../lib/ui-target';

function PlanView({ plan }: { plan: Plan }) {
  return (
    <div data-testid="plan">
      <div className="plan">
        <div><div className="k">Records</div><div className="v" data-testid="plan-records">{formatCount(plan.records)}</div></div>
        <div><div className="k">Requests needed</div><div className="v" data-testid="plan-requests">{formatCount(plan.requestsNeeded)}</div></div>
        <div><div className="k">Estimated time</div><div className="v" data-testid="plan-time">{plan.estimatedSeconds < 1 ? 'under a second' : `about ${formatSeconds(plan.estimatedSeconds)}`}</div></div>
        <div><div className="k">Recordings</div><div className="v">{plan.mediaFiles ? `${formatCount(plan.mediaFiles)} · ${formatBytes(plan.mediaBytes)}` : 'none'}</div></div>
      </div>
      <div className="view-sub" style={{ marginTop: 6 }} data-testid="plan-budget">
        Rate budget now: {plan.budget.summary}. {plan.requestsSpentPlanning > 0 && `Planning used ${plural(plan.requestsSpentPlanning, 'request')}.`}
      </div>
      {plan.warnings.length > 0 && <div className="warn-box" style={{ marginTop: 6 }}>{plan.warnings.map((w, i) => <div key={i}>{w}</div>)}</div>}
    </div>
  );
}

export function ExportDialog() {
  const model = useModel();
  const req = useUi((s) => s.exportDialog)!;
  const descriptor = useApp((s) => s.descriptor);
  const settings = useApp((s) => s.settings);
  const caps = useApp((s) => s.appInfo?.capabilities);
  const participantCounts = useHierarchy((s) => (req.target.participantId && req.target.roomId ? s.countsByParticipant[participantKey(req.target.roomId, req.target.participantId)] : undefined));
  const perFile = !!req.recordingIds?.length;

  const preset = req.preset ?? {};
  const available = useMemo(() => (descriptor?.dataTypes ?? []).filter((d) => d.scopes.includes(req.target.level) && (!perFile || d.media)), [descriptor, req.target.level, perFile]);
  const [types, setTypes] = useState<Set<DataTypeId>>(() => new Set(req.types ?? available.map((d) => d.id)));
  const [format, setFormat] = useState<ExportFormat>(preset.format ?? settings?.defaultFormat ?? 'csv');
  const [zip, setZip] = useState(preset.zip ?? settings?.zip ?? true);
  const [split, setSplit] = useState<SplitMode>(() => {
    const wanted = preset.split ?? settings?.split ?? 'none';
    return splitOptionsFor(req.target.level).includes(wanted) ? wanted : 'none';
  });
  const [anonymize, setAnonymize] = useState<AnonymizeMode>(preset.anonymize ?? settings?.anonymize ?? 'keep');
  const [writeCodeMap, setWriteCodeMap] = useState(preset.writeCodeMap ?? false);
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
  const hasMedia = available.some((d) => d.media && types.has(d.id));
  const typeList = useMemo(() => available.map((d) => d.id).filter((id) => types.has(id)), [available, types]);

  // Re-plan (debounced) whenever what is asked changes; the core caches first pages, so this is cheap.
  useEffect(() => {
    if (typeList.length === 0 || inverted) { setPlan(null); return; }
    let cancelled = false;
    setPlanning(true);
    const t = setTimeout(() => {
      model.planExport({
        target: req.target, types: typeList, includeRecordings: hasMedia && includeRecordings,
        ...(sinceIso ? { since: sinceIso } : {}), ...(untilIso ? { until: untilIso } : {}),
        ...(perFile ? { recordingIds: req.recordingIds } : {}),
      }).then((p) => {
        if (cancelled) return;
        setPlan(p);
        setPlanError(null);
        setTypeTotals((prev) => {
          const next = { ...prev };
          const byType: Partial<Record<DataTypeId, number>> = {};
          for (const s of p.streams) byType[s.type] = (byType[s.type] ?? 0) + s.total;
          return sinceIso || untilIso ? next : { ...next, ...byType };
        });
      }, (e) => { if (!cancelled) { setPlan(null); setPlanError(toUiError(e)); } })
        .finally(() => { if (!cancelled) setPlanning(false); });
    }, 350);
    return () => { cancelled = true; clearTimeout(t); };
  }, [model, req.target, req.recordingIds, perFile, typeList, includeRecordings, hasMedia, sinceIso, untilIso, inverted]);

  const countFor = (id: DataTypeId): number | undefined =>
    participantCounts && typeof participantCounts === 'object' && participantCounts.counts[id] !== undefined ? participantCounts.counts[id] : typeTotals[id];

  const close = () => model.ui.setState({ exportDialog: null });
  const start = async () => {
    setStarting(true);
    setStartError(null);
    const request: UiExportRequest = {
      target: req.target, types: typeList, format, zip, split, anonymize,
      ...(anonymize === 'pseudonymize' ? { writeCodeMap } : {}),
      ...(sinceIso ? { since: sinceIso } : {}), ...(untilIso ? { until: untilIso } : {}),
      includeRecordings: hasMedia && includeRecordings,
      ...(perFile ? { recordingIds: req.recordingIds } : {}),
      bom: format === 'csv' ? bom : false,
      formulaProtection,
    };
    try {
      await model.startExport(request);
    } catch (e) {
      setStartError(toUiError(e));
      setStarting(false);
    }
  };

  const splits = splitOptionsFor(req.target.level);
  return (
    <Dialog
      title={`Download ${req.title}`}
      onClose={close}
      wide
      testId="export-dialog"
      footer={
        <>
          <span className="view-sub grow">{planning ? 'Working out the plan…' : plan ? `${plural(plan.requestsNeeded, 'request')} · ${formatCount(plan.records)} records` : ''}</span>
          <button type="button" className="btn" onClick={close}>Cancel</button>
          <button type="button" className="btn primary" data-testid="start-export" disabled={starting || typeList.length === 0 || inverted || !!planError} onClick={() => void start()}>
            {starting ? 'Starting…' : 'Start download'}
          </button>
        </>
      }
    >
      {!perFile && (
        <fieldset>
          <legend>Data types</legend>
          <div className="types-list">
            {available.map((d) => {
              const n = countFor(d.id);
              return (
                <label key={d.id} className={`checkbox${n === 0 ? ' empty-type' : ''}`}>
                  <input
                    type="checkbox"
                    name={`type-${d.id}`}
                    checked={types.has(d.id)}
                    onChange={(e) => setTypes((s) => { const next = new Set(s); if (e.target.checked) next.add(d.id); else next.delete(d.id); return next; })}
                  />
                  <span>{d.label} <span className="view-sub">{n === undefined ? '' : formatCount(n)}</span></span>
                </label>
              );
            })}
          </div>
          <div className="row-gap">
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set(available.map((d) => d.id)))}>All</button>
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set(available.filter((d) => (countFor(d.id) ?? 1) > 0).map((d) => d.id)))}>Only with data</button>
            <button type="button" className="btn small ghost" onClick={() => setTypes(new Set())}>None</button>
          </div>
        </fieldset>
      )}
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
          {splits.length > 1 && (
            <label className="field">
              <span className="field-label">Split</span>
              <select className="select" value={split} onChange={(e) => setSplit(e.target.value as SplitMode)} aria-label="Split">
                {splits.map((s) => <option key={s} value={s}>{SPLIT_LABEL[s]}</option>)}
              </select>
            </label>
          )}
        </fieldset>
      </div>
      <fieldset>
        <legend>Anonymization</legend>
        {(Object.keys(ANONYMIZE_INFO) as AnonymizeMode[]).map((m) => (
          <div key={m}>
            <label className="checkbox">
              <input type="radio" name="anonymize" value={m} checked={anonymize === m} onChange={() => setAnonymize(m)} />
              <span style={{ fontWeight: 550 }}>{ANONYMIZE_INFO[m].label}</span>
            </label>
            <p className="explain">{ANONYMIZE_INFO[m].explain}</p>
            {m === 'pseudonymize' && anonymize === 'pseudonymize' && (
              <label className="checkbox" style={{ marginLeft: 22, marginTop: 4 }}>
                <input type="checkbox" name="write-code-map" checked={writeCodeMap} onChange={(e) => setWriteCodeMap(e.target.checked)} />
                Write the code map (<code>participant_code_map.csv</code>) into the export
              </label>
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
        <fieldset>
          <legend>Recordings</legend>
          {available.some((d) => d.media) ? (
            <label className="checkbox">
              <input type="checkbox" name="include-recordings" checked={includeRecordings && hasMedia} disabled={!hasMedia} onChange={(e) => setIncludeRecordings(e.target.checked)} />
              <span>
                Include the recording files{plan && hasMedia && includeRecordings ? (plan.mediaFiles > 0 ? ` (${plural(plan.mediaFiles, 'file')}, ${formatBytes(plan.mediaBytes)})` : ' (none here)') : ''}
                {!hasMedia && <span className="view-sub"> (select Recordings above)</span>}
              </span>
            </label>
          ) : <span className="view-sub">None at this level.</span>}
        </fieldset>
      </div>
      <div className="field">
        <span className="field-label">Destination</span>
        <div className="row-gap">
          <span className="path" data-testid="destination">{settings?.downloadFolder ?? '—'}</span>
          {caps?.chooseFolder && <button type="button" className="btn small" onClick={() => void model.chooseDownloadFolder()}>Change…</button>}
        </div>
        {!caps?.chooseFolder && <span className="hint">Browser mode saves into the server's download folder{caps?.downloadLink ? '; you can also download the result from here when it is done.' : '.'}</span>}
      </div>
      {planError && <ErrorBox error={planError} />}
      {plan && !planError && <PlanView plan={plan} />}
      {!plan && !planError && planning && <div className="plan" aria-busy="true"><span className="skeleton" /><span className="skeleton" /><span className="skeleton" /><span className="skeleton" /></div>}
      {startError && <ErrorBox error={startError} />}
    </Dialog>
  );
}
