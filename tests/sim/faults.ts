// Fault injection: random faults at configured rates (seeded, so a run is reproducible), 429 storms,
// and exact rules ("fail the next N requests matching /pattern/ with kind K").
import { mulberry32 } from './prng';
import type { FaultConfig, FaultKind, FaultRule } from './types';

export function defaultFaults(seed = 1): FaultConfig {
  return {
    seed,
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0,
    errorStatuses: [500, 502, 503, 504],
    resetRate: 0,
    truncateRate: 0,
    htmlRate: 0,
    slowMs: 0,
    slowPattern: null,
    storm: null,
    expireSignedUrls: false,
    expireAfterBytes: null,
    mediaLengthDelta: 0,
    warnings: [],
    rules: [],
  };
}

export type ProxyFault =
  | { kind: 'error' | 'html'; status: number; cause: 'random' | 'rule' }
  | { kind: 'rate429'; retryAfterSec: number; asDate: boolean; cause: 'storm' | 'rule' };

export type BodyFault =
  | { kind: 'reset'; afterBytes?: number }
  | { kind: 'truncate' }
  | { kind: 'wrongLength'; delta: number }
  | { kind: 'expire' };

export interface RequestTarget {
  /** Path with query, e.g. /api/v3/data/events/room/r1?limit=10 or /storage/… */
  path: string;
  /** Endpoint template (API) or "/storage" (media). */
  template: string;
  media: boolean;
}

export class FaultState {
  private cfg: FaultConfig;
  private rand: () => number;
  private rules: Array<FaultRule & { re: RegExp; left: number }> = [];

  constructor(
    private readonly baseSeed: number,
    initial: Partial<FaultConfig> | undefined,
    private readonly now: () => number,
  ) {
    this.cfg = defaultFaults(baseSeed);
    this.rand = mulberry32(this.cfg.seed);
    if (initial) this.set(initial);
  }

  config(): FaultConfig {
    return { ...this.cfg, rules: this.rules.map(({ re: _re, left, ...r }) => ({ ...r, count: left })) };
  }

  set(p: Partial<FaultConfig>): void {
    const seedChanged = p.seed !== undefined && p.seed !== this.cfg.seed;
    this.cfg = { ...this.cfg, ...p };
    if (seedChanged) this.rand = mulberry32(this.cfg.seed);
    if (p.rules) {
      this.rules = p.rules.map((r) => ({ ...r, re: new RegExp(r.match), left: r.count ?? 1 }));
    }
    if (p.storm && p.storm.count === undefined && p.storm.untilMs === undefined) {
      throw new Error('storm needs count or untilMs');
    }
  }

  /** Adds exact rules without replacing the existing ones. */
  addRules(rules: FaultRule[]): void {
    for (const r of rules) this.rules.push({ ...r, re: new RegExp(r.match), left: r.count ?? 1 });
  }

  reset(): void {
    this.cfg = defaultFaults(this.baseSeed);
    this.rand = mulberry32(this.cfg.seed);
    this.rules = [];
  }

  private take(kinds: FaultKind[], t: RequestTarget): (FaultRule & { left: number }) | null {
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i];
      if (!kinds.includes(r.kind) || !(r.re.test(t.path) || r.re.test(t.template))) continue;
      r.left--;
      if (r.left <= 0) this.rules.splice(i, 1);
      return r;
    }
    return null;
  }

  private roll(rate: number): boolean {
    return rate > 0 && this.rand() < rate;
  }

  latency(): number {
    const { latencyMs, jitterMs } = this.cfg;
    if (latencyMs <= 0 && jitterMs <= 0) return 0;
    return latencyMs + (jitterMs > 0 ? Math.floor(this.rand() * jitterMs) : 0);
  }

  /** Faults a proxy in front of the API would produce (before auth and rate limits). */
  proxy(t: RequestTarget): ProxyFault | null {
    const rule = this.take(['error', 'html', 'rate429'], t);
    if (rule) {
      if (rule.kind === 'rate429') return { kind: 'rate429', retryAfterSec: rule.retryAfterSec ?? 1, asDate: !!rule.retryAfterAsDate, cause: 'rule' };
      return { kind: rule.kind as 'error' | 'html', status: rule.status ?? (rule.kind === 'html' ? 502 : 500), cause: 'rule' };
    }
    if (t.media) return null;
    const storm = this.cfg.storm;
    if (storm) {
      const active = storm.count !== undefined ? storm.count > 0 : this.now() < (storm.untilMs ?? 0);
      if (active) {
        if (storm.count !== undefined) this.cfg = { ...this.cfg, storm: { ...storm, count: storm.count - 1 } };
        return { kind: 'rate429', retryAfterSec: storm.retryAfterSec, asDate: !!storm.retryAfterAsDate, cause: 'storm' };
      }
    }
    if (this.roll(this.cfg.errorRate)) {
      const statuses = this.cfg.errorStatuses.length > 0 ? this.cfg.errorStatuses : [500];
      return { kind: 'error', status: statuses[Math.floor(this.rand() * statuses.length)], cause: 'random' };
    }
    if (this.roll(this.cfg.htmlRate)) return { kind: 'html', status: 502, cause: 'random' };
    return null;
  }

  /** Extra delay for responses meant to be slower than client timeouts. */
  slow(t: RequestTarget): number {
    const rule = this.take(['slow'], t);
    if (rule) return rule.delayMs ?? (this.cfg.slowMs > 0 ? this.cfg.slowMs : 35_000);
    if (this.cfg.slowMs > 0 && !t.media) {
      const p = this.cfg.slowPattern;
      if (p === null || new RegExp(p).test(t.template) || new RegExp(p).test(t.path)) return this.cfg.slowMs;
    }
    return 0;
  }

  /** Faults applied to the response body once the handler has produced it. */
  body(t: RequestTarget): BodyFault | null {
    const rule = this.take(t.media ? ['reset', 'wrongLength', 'expire', 'truncate'] : ['reset', 'truncate'], t);
    if (rule) {
      if (rule.kind === 'reset') return { kind: 'reset', afterBytes: rule.afterBytes };
      if (rule.kind === 'wrongLength') return { kind: 'wrongLength', delta: rule.lengthDelta ?? 1024 };
      if (rule.kind === 'expire') return { kind: 'expire' };
      return { kind: 'truncate' };
    }
    if (this.roll(this.cfg.resetRate)) return { kind: 'reset' };
    if (!t.media && this.roll(this.cfg.truncateRate)) return { kind: 'truncate' };
    if (t.media && this.cfg.mediaLengthDelta !== 0) return { kind: 'wrongLength', delta: this.cfg.mediaLengthDelta };
    return null;
  }

  get warnings(): string[] {
    return this.cfg.warnings;
  }
  get expireSignedUrls(): boolean {
    return this.cfg.expireSignedUrls;
  }
  get expireAfterBytes(): number | null {
    return this.cfg.expireAfterBytes;
  }
}
