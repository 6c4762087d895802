// API keys and scopes (reference §5). Two keys: one with every read scope, one limited to
// read:events + read:experiments (for 403 tests).
import { Rng } from './prng';

export const KEY_PATTERN = /^hst_(live|test)_/;

export const ALL_READ_SCOPES = ['read:events', 'read:recordings', 'read:chat', 'read:videochat', 'read:ratings', 'read:sync', 'read:participants', 'read:components', 'read:experiments'];
export const LIMITED_SCOPES = ['read:events', 'read:experiments'];

/** Scope needed by each data type path segment (rooms, participants, variables, counts, eyetracking: read:events). */
export const TYPE_SCOPES: Record<string, string | null> = {
  events: 'read:events',
  recordings: 'read:recordings',
  chat: 'read:chat',
  videochat: 'read:videochat',
  'ratings/continuous': 'read:ratings',
  'ratings/sparse': 'read:ratings',
  sync: 'read:sync',
  components: 'read:components',
  eyetracking: 'read:events',
  participants: 'read:events',
  rooms: 'read:events',
  variables: 'read:events',
  counts: 'read:events',
  'check-access': null,
  experiments: 'read:experiments',
  deployments: 'read:experiments',
};

export interface KeyInfo {
  key: string;
  scopes: string[];
}

export class KeyStore {
  readonly full: KeyInfo;
  readonly limited: KeyInfo;
  private readonly keys = new Map<string, KeyInfo>();

  constructor(seed: number) {
    const rng = Rng.of(seed, 'keys');
    this.full = { key: `hst_test_${rng.token(40)}`, scopes: ALL_READ_SCOPES };
    this.limited = { key: `hst_test_${rng.token(40)}`, scopes: LIMITED_SCOPES };
    this.keys.set(this.full.key, this.full);
    this.keys.set(this.limited.key, this.limited);
  }

  lookup(key: string | undefined): KeyInfo | null {
    if (!key || !KEY_PATTERN.test(key)) return null;
    return this.keys.get(key) ?? null;
  }
}

export function hasScope(granted: string[], required: string): boolean {
  const [verb] = required.split(':');
  return granted.includes(required) || granted.includes('*') || granted.includes(`${verb}:*`);
}
