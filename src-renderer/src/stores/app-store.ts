// App-wide state: who we are, which connection, how the server is doing.
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../src-shared/errors';
import type {
  AppInfo, ConnectionStatus, KeyAccess, Notice, ProfileSummary, RateBudget, Settings, SourceDescriptor,
} from '../../../src-shared/model';

export interface AppState {
  ready: boolean;
  bootError: ErrorInfo | null;
  appInfo: AppInfo | null;
  /** The active connection's source (describeSource follows the active profile). */
  descriptor: SourceDescriptor | null;
  /** Every source the app can connect to (the connection dialog offers them). */
  sources: SourceDescriptor[];
  connection: ConnectionStatus | null;
  budget: RateBudget | null;
  profiles: ProfileSummary[];
  settings: Settings | null;
  notices: Array<Notice & { id: number }>;
  /** The link to the core itself (WebSocket in browser mode) dropped. */
  transportLost: boolean;
  /** When the link dropped (ms since epoch), to say so plainly if it stays down. */
  transportLostAt: number | null;
  /** What the active key may read (null until asked; reset with the profile). */
  keyAccess: KeyAccess | null;
  /** Bumped each time the server answers again after being unreachable: views that failed retry. */
  reconnects: number;
}

export const createAppStore = () =>
  createStore<AppState>()(() => ({
    ready: false,
    bootError: null,
    appInfo: null,
    descriptor: null,
    sources: [],
    connection: null,
    budget: null,
    profiles: [],
    settings: null,
    notices: [],
    transportLost: false,
    transportLostAt: null,
    keyAccess: null,
    reconnects: 0,
  }));

export type AppStore = ReturnType<typeof createAppStore>;
