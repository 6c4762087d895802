// Which dialogs and panels are open. Kept apart from data so opening a dialog re-renders little.
import { createStore } from 'zustand/vanilla';
import type { DataTypeId, ExportRequest, TableView, Target } from '../../../src-shared/model';

export interface ExportDialogRequest {
  target: Target;
  /** Preselected types (e.g. the tab the researcher was on); all with data when absent. */
  types?: DataTypeId[];
  title: string;
  /** Options to start from instead of the settings (e.g. "export again" from a finished job). */
  preset?: Partial<Pick<ExportRequest, 'format' | 'zip' | 'split' | 'anonymize' | 'since' | 'until' | 'includeRecordings' | 'bom' | 'formulaProtection'>>;
  /** Export what a table shows (one type): its filters, search, sort and visible columns. */
  view?: TableView;
  /** How many rows that table shows. */
  viewRows?: number;
}

/** One recording, downloaded as itself. */
export interface RecordingDialogRequest {
  target: Target;
  type: DataTypeId;
  recordingId: string;
  fileName: string;
  fileSize?: number;
  durationMs?: number;
}

export interface UiState {
  exportDialog: ExportDialogRequest | null;
  recordingDialog: RecordingDialogRequest | null;
  progressJobId: string | null;
  downloadsOpen: boolean;
  connectionsOpen: boolean;
}

export const createUiStore = () =>
  createStore<UiState>()(() => ({ exportDialog: null, recordingDialog: null, progressJobId: null, downloadsOpen: false, connectionsOpen: false }));
export type UiStore = ReturnType<typeof createUiStore>;
