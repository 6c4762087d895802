// App-wide state: who we are, which connection, how the server is doing.
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../src-shared/errors';
import type {
  AppInfo, ConnectionStatus, Notice, ProfileSummary, RateBudget, Settings, SourceDescriptor,
} from '../../../src-shared/model';

export interface AppState {
  ready: boolean;
  bootError: ErrorInfo | null;
  appInfo: AppInfo | null;
  descriptor: SourceDescriptor | null;
  connection: ConnectionStatus | null;
  budget: RateBudget | null;
  profiles: ProfileSummary[];
  settings: Settings | null;
  notices: Array<Notice & { id: number }>;
  /** The link to the core itself (WebSocket in browser mode) dropped. */
  transportLost: boolean;
}

export const createAppStore = () =>
  createStore<AppState>()(() => ({
    ready: false,
    bootError: null,
    appInfo: null,
    descriptor: null,
    connection: null,
    budget: null,
    profiles: [],
    settings: null,
    notices: [],
    transportLost: false,
  }));

export type AppStore = ReturnType<typeof createAppStore>;
