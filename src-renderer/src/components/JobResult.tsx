// What a finished export offers: drag it out, show it, open it, copy its path, or (browser mode)
// download it; plus the manifest summary. Shell actions appear only where the mode supports them.
// When CSV cells look like spreadsheet formulas, it says how many and where, and offers to export
// again with formula protection on.
import { useState, type DragEvent } from 'react';
import { downloadPathFor } from '../../../src-shared/ws-protocol';
import type { FormulaCellsSummary, JobSnapshot } from '../../../src-shared/model';
import { toUiError } from '../lib/errors';
import { formatBytes, formatCount, plural } from '../lib/format';
import { useApp, useModel, useProgress } from '../model-context';
import { anonymizeLabel } from '../lib/export-options';
import { KeepUpToDateButton } from './KeepUpToDateButton';
import { SaveCodeMap } from './SaveCodeMap';

export function JobResult({ job, compact }: { job: JobSnapshot; compact?: boolean }) {
  const model = useModel();
  const caps = useApp((s) => s.appInfo?.capabilities);
  const [note, setNote] = useState<string | null>(null);
  const complete = job.state === 'completed';
  const folder = useApp((s) => job.request.destination ?? s.settings?.downloadFolder ?? '');
  const name = job.sync?.dir ?? job.outputName ?? ''; // a sync's folder is a full path
  // The core reports the output's name; show where it is (the export's folder) as well.
  const fullPath = !name || /^([/\\]|[A-Za-z]:)/.test(name) || !folder ? name : `${folder.replace(/[/\\]+$/, '')}/${name}`;
  const isZip = /\.zip$/i.test(name);
  // A single file (a ZIP, or one recording saved as itself) can be downloaded from browser mode; a folder cannot.
  const isFile = /\.[A-Za-z0-9]{2,5}$/.test(name);
  const progress = useProgress((s) => s[job.id]);
  const requests = progress ?? job.progress;

  const act = (fn: () => Promise<void>, done?: string) => {
    setNote(null);
    fn().then(() => done && setNote(done), (e) => setNote(toUiError(e).message));
  };
  const copyPath = () => act(async () => {
    try {
      await model.api.copyOutputPath({ jobId: job.id });
    } catch (e) {
      if (toUiError(e).code !== 'UNSUPPORTED' || !navigator.clipboard) throw e;
      await navigator.clipboard.writeText(fullPath);
    }
  }, 'Path copied.');
  const onDragStart = (e: DragEvent) => {
    e.preventDefault();
    void model.api.startDrag({ jobId: job.id }).catch(() => undefined);
  };

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="job-result">
      {!compact && (
        <div
          className="drag-handle"
          draggable={complete && !!caps?.startDrag}
          aria-disabled={!complete || !caps?.startDrag}
          onDragStart={complete && caps?.startDrag ? onDragStart : undefined}
          title={caps?.startDrag ? 'Drag into your analysis tool' : 'Dragging out works in the desktop app'}
          data-testid="drag-handle"
        >
          <span className="file-icon" aria-hidden="true">{isZip ? 'ZIP' : isFile ? name.split('.').pop()!.toUpperCase().slice(0, 4) : 'DIR'}</span>
          <span style={{ minWidth: 0 }}>
            <div className="path" data-testid="output-path">{fullPath}</div>
            <div className="view-sub">{caps?.startDrag ? 'Drag this into R, Python, SPSS or a folder' : 'Saved in the download folder'}</div>
          </span>
        </div>
      )}
      {compact && <div className="path" data-testid="output-path">{fullPath}</div>}
      <div className="row-gap">
        {caps?.showInFolder && <button type="button" className="btn small" onClick={() => act(() => model.api.showInFolder({ jobId: job.id }))}>Show in folder</button>}
        {caps?.openPath && <button type="button" className="btn small" onClick={() => act(() => model.api.openOutput({ jobId: job.id }))}>Open</button>}
        <button type="button" className="btn small" onClick={copyPath}>Copy path</button>
        {caps?.downloadLink && complete && isFile && <a className="btn small" href={downloadPathFor(job.id)} download data-testid="download-link">{isZip ? 'Download ZIP' : 'Download file'}</a>}
        <KeepUpToDateButton job={job} />
        {note && <span className="view-sub" role="status">{note}</span>}
      </div>
      {complete && job.manifest?.formulaCells && job.manifest.formulaCells.total > 0 && <FormulaCellsNote job={job} cells={job.manifest.formulaCells} compact={compact} />}
      {job.manifest && !compact && (
        <div className="view-sub" data-testid="manifest-summary">
          {plural(job.manifest.files, 'file')} · {plural(job.manifest.records, 'record')} · {formatBytes(job.manifest.bytes)} · {formatCount(requests.requestsUsed)} of {plural(requests.requestsPlanned, 'planned request')} used · {anonymizeLabel(job.manifest.anonymization)}
          {job.manifest.warnings.length > 0 && <div className="warn-box" style={{ marginTop: 6 }}>{job.manifest.warnings.map((w, i) => <div key={i}>{w}</div>)}</div>}
        </div>
      )}
      {job.manifest?.anonymization === 'pseudonymize' && !compact && <SaveCodeMap path={job.request.target.path} />}
    </div>
  );
}

/** How many CSV text cells start with = + - @, in which files, and (when unprotected) the switch to export again. */
function FormulaCellsNote({ job, cells, compact }: { job: JobSnapshot; cells: FormulaCellsSummary; compact?: boolean }) {
  const model = useModel();
  const n = `${formatCount(cells.total)} text cell${cells.total === 1 ? '' : 's'}`;
  const exportAgain = () => {
    const r = job.request;
    model.ui.setState({
      progressJobId: null,
      downloadsOpen: false,
      exportDialog: {
        target: r.target,
        title: job.title,
        types: r.types,
        // The same table view again, if that is what was exported.
        ...(r.view ? { view: r.view } : {}),
        preset: {
          format: r.format, zip: r.zip, split: r.split, anonymize: r.anonymize, includeRecordings: r.includeRecordings, bom: r.bom,
          ...(r.since ? { since: r.since } : {}), ...(r.until ? { until: r.until } : {}),
          formulaProtection: true,
        },
      },
    });
  };
  return (
    <div className={cells.protected ? 'view-sub' : 'warn-box'} data-testid="formula-cells" data-protected={cells.protected ? 'true' : 'false'}>
      {cells.protected ? (
        <div>{n} starting with = + - @ got a leading ' (formula protection), so spreadsheets show them as text.</div>
      ) : (
        <div>
          {n} start with = + - @. A spreadsheet such as Excel may run them as formulas when the file is opened.
          The values are kept exactly as recorded, which is right for R, Python and SPSS.
        </div>
      )}
      {!compact && (
        <ul className="formula-files" aria-label="Files with formula-looking cells">
          {cells.files.map((f) => <li key={f.path}><code>{f.path}</code> · {formatCount(f.cells)}</li>)}
        </ul>
      )}
      {!cells.protected && (
        <button type="button" className="btn small" data-testid="export-again-protected" onClick={exportAgain}>Export again with formula protection…</button>
      )}
    </div>
  );
}
