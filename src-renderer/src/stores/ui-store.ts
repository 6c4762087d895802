// Which dialogs and panels are open. Kept apart from data so opening a dialog re-renders little.
import { createStore } from 'zustand/vanilla';
import type { DataTypeId, ExportRequest } from '../../../src-shared/model';
import type { UiTarget as Target } from '../lib/ui-target';

export interface ExportDialogRequest {
  target: Target;
  /** Preselected types (e.g. the tab the researcher was on); all with data when absent. */
  types?: DataTypeId[];
  /** A per-file recording download. */
  recordingIds?: string[];
  title: string;
  /** Options to start from instead of the settings (e.g. "export again" from a finished job). */
  preset?: Partial<Pick<ExportRequest, 'format' | 'zip' | 'split' | 'anonymize' | 'writeCodeMap' | 'since' | 'until' | 'includeRecordings' | 'bom' | 'formulaProtection'>>;
}

export interface UiState {
  exportDialog: ExportDialogRequest | null;
  progressJobId: string | null;
  downloadsOpen: boolean;
  connectionsOpen: boolean;
}

export const createUiStore = () =>
  createStore<UiState>()(() => ({ exportDialog: null, progressJobId: null, downloadsOpen: false, connectionsOpen: false }));
export type UiStore = ReturnType<typeof createUiStore>;
