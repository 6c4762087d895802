// The device authorization flow (reference §2.2): a code pair with a 15-minute window, approved or
// denied in the browser (here: the /account/authorize/ page or the control route), polled until
// the token is collected once.
import { Rng } from '../../prng';

export const DEVICE_TTL_S = 900;
export const DEVICE_INTERVAL_S = 5;

type State = 'pending' | 'approved' | 'denied' | 'collected';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  sessionId: string;
  clientName: string | null;
  createdMs: number;
  expiresAtMs: number;
  state: State;
  /** The approving user's email. */
  approvedBy?: string;
}

export type PollResult = { status: 'authorization_pending' } | { status: 'success'; email: string } | { error: 'access_denied' | 'expired_token' | 'already_used' | 'invalid_grant' };

const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

export class DeviceFlow {
  private readonly codes: DeviceCode[] = [];
  private seq = 0;

  constructor(
    private readonly seed: number,
    private readonly now: () => number,
  ) {}

  start(clientName: string | null): DeviceCode {
    const rng = Rng.of(this.seed, 'device', ++this.seq);
    const letters = Array.from({ length: 4 }, () => rng.pick(USER_CODE_LETTERS.split(''))).join('');
    const hex = rng.hex(32);
    const code: DeviceCode = {
      deviceCode: rng.token(43),
      userCode: `${letters}-${String(rng.int(0, 9999)).padStart(4, '0')}`,
      sessionId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`,
      clientName,
      createdMs: this.now(),
      expiresAtMs: this.now() + DEVICE_TTL_S * 1000,
      state: 'pending',
    };
    this.codes.push(code);
    return code;
  }

  /** Finds a code by device code, user code (any case, dash optional) or session id. */
  find(any: string): DeviceCode | undefined {
    const norm = (s: string) => s.toUpperCase().replace(/-/g, '');
    return this.codes.find((c) => c.deviceCode === any || c.sessionId === any || norm(c.userCode) === norm(any));
  }

  expired(c: DeviceCode): boolean {
    return this.now() >= c.expiresAtMs;
  }

  /** Approve or deny from the browser side; a decided or expired code cannot change. */
  decide(any: string, decision: 'approved' | 'denied', email?: string): DeviceCode {
    const c = this.find(any);
    if (!c) throw new Error(`no device code ${any}`);
    if (c.state !== 'pending') throw new Error(`device code ${c.userCode} is already ${c.state}`);
    if (this.expired(c)) throw new Error(`device code ${c.userCode} has expired`);
    c.state = decision;
    if (decision === 'approved') c.approvedBy = email;
    return c;
  }

  poll(deviceCode: string): PollResult {
    const c = this.codes.find((x) => x.deviceCode === deviceCode);
    if (!c) return { error: 'invalid_grant' };
    if (c.state === 'collected') return { error: 'already_used' };
    if (c.state === 'denied') return { error: 'access_denied' };
    if (this.expired(c)) return { error: 'expired_token' };
    if (c.state === 'approved') {
      c.state = 'collected';
      return { status: 'success', email: c.approvedBy! };
    }
    return { status: 'authorization_pending' };
  }

  pending(): DeviceCode[] {
    return this.codes.filter((c) => c.state === 'pending' && !this.expired(c));
  }
}
