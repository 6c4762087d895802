// One valid argument per contract method (shared by the contract and transport tests),
// so "rejects bad input" tests can also show that good input passes.
import type { MethodArg, MethodName } from '../../../src-shared/contract';

const target = { level: 'experiment', path: [{ level: 'experiment', id: 'exp_1' }] };
const profile = { name: 'Lab', source: 'hyperstudy', environment: 'custom' as const, baseUrl: 'http://127.0.0.1:9/api/v3', apiKey: 'hst_test_abc' };
const exportReq = {
  target, types: ['events'], format: 'csv' as const, zip: true, split: 'none', anonymize: 'keep' as const,
  includeRecordings: false, bom: false, formulaProtection: true,
};

export const validArgs: { [K in MethodName]: MethodArg<K> } = {
  getAppInfo: undefined,
  getConnectionStatus: undefined,
  checkConnection: undefined,
  getRateBudget: undefined,
  describeSource: undefined,
  listSources: undefined,
  listProfiles: undefined,
  validateProfile: profile,
  addProfile: profile,
  removeProfile: { id: 'p_1' },
  activateProfile: { id: 'p_1' },
  startDeviceSignIn: { name: 'Lab', source: 'brainstem', baseUrl: 'http://127.0.0.1:9/api' },
  finishDeviceSignIn: { flowId: 'f_1' },
  cancelDeviceSignIn: { flowId: 'f_1' },
  signInWithPassword: { name: 'Lab', source: 'brainstem', email: 'me@lab.example', password: 'pw' },
  listLevel: { level: 'participant', parentPath: [{ level: 'experiment', id: 'exp_1' }, { level: 'room', id: 'room_1' }], refresh: true },
  getItemCounts: { path: [{ level: 'experiment', id: 'e' }, { level: 'room', id: 'r' }, { level: 'participant', id: 'p' }] },
  getPreview: { target, type: 'events', offset: 0, limit: 100, sort: { key: 'onset', dir: 'desc' }, filters: { category: 'x' }, search: 'y', timeZone: 'Europe/Berlin' },
  planExport: { target, types: ['events'], includeRecordings: false },
  startExport: exportReq,
  listJobs: undefined,
  pauseJob: { jobId: 'j' },
  resumeJob: { jobId: 'j' },
  cancelJob: { jobId: 'j' },
  retryJob: { jobId: 'j' },
  removeJob: { jobId: 'j' },
  listSyncFolders: undefined,
  planSync: { folderId: 'fold_1' },
  startSync: { folderId: 'fold_1', verify: true },
  keepExportUpToDate: { jobId: 'j' },
  createSyncFolder: { ...exportReq, zip: false },
  setSyncInterval: { folderId: 'fold_1', minutes: 60 },
  forgetSyncFolder: { folderId: 'fold_1' },
  showSyncFolder: { folderId: 'fold_1' },
  getKeyAccess: { path: [{ level: 'experiment', id: 'exp_1' }] },
  getCodeMap: { path: [{ level: 'experiment', id: 'exp_1' }] },
  getSettings: undefined,
  updateSettings: { theme: 'dark' },
  getViewState: undefined,
  setViewState: { key: 'table:hyperstudy:events', value: { columns: ['onset'], sort: { key: 'onset', dir: 'asc' }, widths: { onset: 120 } } },
  showInFolder: { jobId: 'j' },
  openOutput: { jobId: 'j' },
  copyOutputPath: { jobId: 'j' },
  startDrag: { jobId: 'j' },
  chooseDownloadFolder: undefined,
};

/** Inputs no method accepts. */
export const alwaysBad: unknown[] = [42, 'text', [], null, true, { unexpected: 1 }];
