// Who runs a job: the process (pid on a host) whose queue holds it, with a heartbeat it renews
// while the job is queued or running. Another process shows such a job as running there; only a
// job whose owner is dead (pid gone, or no heartbeat for OWNER_STALE_MS) becomes interrupted.
import { randomBytes } from 'node:crypto';
import os from 'node:os';

export interface JobOwner {
  pid: number;
  host: string;
  /** One job manager instance (a process may open the queue more than once, e.g. in tests). */
  token: string;
  /** Wall-clock ms of the last heartbeat (Date.now(): compared across processes). */
  heartbeatAt: number;
}

/** How often an owner renews its heartbeat. */
export const HEARTBEAT_MS = 5_000;
/**
 * Silence after which an owner counts as gone even if its pid exists (the pid was reused, the
 * process hangs, or it runs on another host whose pids we cannot check).
 */
export const OWNER_STALE_MS = 120_000;

export function newOwner(): JobOwner {
  return { pid: process.pid, host: os.hostname(), token: randomBytes(6).toString('hex'), heartbeatAt: Date.now() };
}

/** True when a process with this pid exists (on this machine). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `owner` still runs its jobs, seen from the manager `me`. Another manager of this same
 * process counts as gone: a process opens one queue per data folder, so a second one on the
 * same folder means the first was abandoned (the core was re-created).
 */
export function ownerAlive(owner: JobOwner | undefined, me: JobOwner, now = Date.now()): boolean {
  if (!owner) return false;
  if (owner.token === me.token) return true;
  if (now - owner.heartbeatAt > OWNER_STALE_MS) return false;
  if (owner.host !== me.host) return true; // its pid means nothing here; the heartbeat decides
  if (owner.pid === me.pid) return false;
  return processAlive(owner.pid);
}
