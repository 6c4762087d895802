// Sign-ins that end in a stored profile, for sources that offer them (BrainSTEM): the browser's
// device flow and email/password. The renderer (or the CLI) starts a device flow and gets only the
// code to show and the page to open; the core polls, and when the code is approved it saves the
// credential to the key store as a new profile. Email/password keeps only the rotating refresh
// token. Neither the credential nor the password is ever returned, logged or written elsewhere.
import { randomBytes } from 'node:crypto';
import { StudyError, isStudyError } from '../../../src-shared/errors';
import type { DeviceSignInStart, KeyValidation, ProfileSummary, SourceId } from '../../../src-shared/model';
import { abortError, type Clock, type FetchLike, type Logger } from '../ports';
import { sourceModule } from '../sources/registry';
import type { DeviceSignInOutcome, SourceModule } from '../sources/source';
import type { ProfileManager } from './profile-manager';

export interface SignInTarget {
  name: string;
  source: SourceId;
  baseUrl?: string;
}

export type SignedIn = { validation: KeyValidation; profile?: ProfileSummary };

export interface SignIns {
  startDevice(t: SignInTarget): Promise<DeviceSignInStart>;
  /** Resolves once the started flow's credential is saved; rejects when it was denied, expired or cancelled. */
  finishDevice(flowId: string): Promise<SignedIn>;
  cancelDevice(flowId: string): void;
  password(t: SignInTarget & { email: string; password: string }): Promise<SignedIn>;
  /** Stops every flow still polling. */
  close(): void;
}

export interface SignInsOptions {
  profiles: () => ProfileManager;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Called after a profile was saved by a sign-in (the core reopens its connection). */
  onSaved?: (profile: ProfileSummary) => void;
}

/** How long the outcome of a finished browser sign-in stays readable by finishDevice. */
const SETTLED_FLOW_KEPT_MS = 10 * 60_000;

interface Flow {
  controller: AbortController;
  outcome: Promise<SignedIn>;
}

function moduleWith<K extends 'deviceSignIn' | 'passwordSignIn'>(source: SourceId, what: K, words: string): SourceModule & Required<Pick<SourceModule, K>> {
  const m = sourceModule(source);
  if (!m[what]) throw new StudyError({ code: 'UNSUPPORTED', message: `${m.descriptor.label} has no ${words}.`, fix: `Add the connection with its ${m.descriptor.authMethods[0]?.label ?? 'key'} instead.` });
  return m as SourceModule & Required<Pick<SourceModule, K>>;
}

export function createSignIns(o: SignInsOptions): SignIns {
  const flows = new Map<string, Flow>();

  /** The server of a would-be profile, checked by its source (no request). */
  const serverOf = (m: SourceModule, t: SignInTarget) => m.resolveConnection({ ...(t.baseUrl ? { environment: 'custom', baseUrl: t.baseUrl } : {}), portal: 'private' }).baseUrl;

  async function save(t: SignInTarget, secret: string, authMethod: 'device-flow' | 'password-refresh', validated?: KeyValidation): Promise<SignedIn> {
    const m = sourceModule(t.source);
    const result = await o.profiles().add(
      { name: t.name, source: m.id, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}), portal: 'private', apiKey: secret },
      { authMethod, ...(validated ? { validated } : {}) },
    );
    if (result.profile) o.onSaved?.(result.profile);
    return result;
  }

  return {
    async startDevice(t) {
      const m = moduleWith(t.source, 'deviceSignIn', 'sign-in through the browser');
      const baseUrl = serverOf(m, t);
      const flowId = `f_${randomBytes(9).toString('hex')}`;
      const controller = new AbortController();
      let shown!: (code: DeviceSignInStart) => void;
      const codeShown = new Promise<DeviceSignInStart>((resolve) => (shown = resolve));
      const run = m.deviceSignIn({
        baseUrl,
        fetch: o.fetch,
        clock: o.clock,
        logger: o.logger,
        signal: controller.signal,
        onCode: (c) => shown({ kind: 'code', flowId, verificationUri: c.verificationUri, verificationUriComplete: c.verificationUriComplete, userCode: c.userCode, expiresIn: c.expiresIn }),
      });
      const outcome = run.then(async (r: DeviceSignInOutcome) => {
        if (r.kind === 'paste-token') throw new StudyError({ code: 'UNSUPPORTED', message: r.reason, fix: `Create a personal access token at ${r.tokensPageUrl} and paste it instead.` });
        // The server just issued it; it is still checked like a pasted one before it is saved.
        return save(t, r.secret, 'device-flow');
      });
      outcome.catch(() => undefined); // awaited by finishDevice; until then a failure is not "unhandled"
      flows.set(flowId, { controller, outcome });
      // A flow nobody waits for is forgotten a while after it ended (its profile, if any, is saved).
      void outcome.then(forgetLater, forgetLater);
      function forgetLater(): void {
        setTimeout(() => flows.delete(flowId), SETTLED_FLOW_KEPT_MS).unref?.();
      }
      let first: { code: DeviceSignInStart } | { ended: DeviceSignInOutcome };
      try {
        first = await Promise.race([codeShown.then((code) => ({ code })), run.then((ended) => ({ ended }))]);
      } catch (e) {
        flows.delete(flowId);
        throw e;
      }
      if ('code' in first) {
        o.logger?.info('browser sign-in started', { source: m.id, flowId });
        return first.code;
      }
      flows.delete(flowId);
      if (first.ended.kind === 'paste-token') return { kind: 'paste-token', tokensPageUrl: first.ended.tokensPageUrl, message: first.ended.reason };
      throw new StudyError({ code: 'BAD_RESPONSE', message: `${m.descriptor.label} ended the sign-in before showing a code.`, fix: 'Start the sign-in again.' });
    },

    async finishDevice(flowId) {
      const flow = flows.get(flowId);
      if (!flow) throw new StudyError({ code: 'NOT_FOUND', message: 'This sign-in is not running (it finished, was cancelled, or the app restarted).', fix: 'Start the sign-in again.' });
      try {
        return await flow.outcome;
      } catch (e) {
        if (flow.controller.signal.aborted && !isStudyError(e)) throw new StudyError({ code: 'CANCELLED', message: 'The sign-in was cancelled.' });
        throw e;
      } finally {
        flows.delete(flowId);
      }
    },

    cancelDevice(flowId) {
      const flow = flows.get(flowId);
      flow?.controller.abort(abortError());
    },

    async password(t) {
      const m = moduleWith(t.source, 'passwordSignIn', 'sign-in with email and password');
      const baseUrl = serverOf(m, t);
      const { secret } = await m.passwordSignIn({ baseUrl, email: t.email, password: t.password, fetch: o.fetch, clock: o.clock, logger: o.logger });
      // The sign-in itself was the check; the refresh token cannot be tried without spending it.
      const host = new URL(baseUrl).host;
      return save(t, secret, 'password-refresh', { outcome: 'accepted', message: `Signed in to ${m.descriptor.label} at ${host}.` });
    },

    close() {
      for (const f of flows.values()) f.controller.abort(abortError());
      flows.clear();
    },
  };
}
