// The jobs file's format (`{"version":2,"jobs":{"<id>":StoredJob,…}}`, also read: the older
// `{"jobs":{…}}` written through conf) and how a damaged one is read: every entry is checked on
// its own, so a null or misshapen entry costs only itself, and a file that was cut off or is not
// JSON at all still gives back every complete entry before the damage.
import os from 'node:os';
import { exportRequestSchema } from '../../../src-shared/contract';
import type { JobProgress, JobSnapshot, JobState } from '../../../src-shared/model';
import { upgradeLegacyTarget } from '../sources/registry';
import type { JobOwner } from './job-owner';

export interface StoredJob {
  snapshot: JobSnapshot;
  /** The job's staging dir (checkpoints: pages, .part media, plan). */
  workDir: string;
  destination: string;
  /** Absolute path of the finished ZIP or folder (completed jobs only). */
  outputPath?: string;
  /** The process whose queue holds it, while it is queued or running. */
  owner?: JobOwner;
}

export interface JobsFileContents {
  jobs: Map<string, StoredJob>;
  /** Entries that could not be used (null, wrong shape, cut off) and were left out. */
  skipped: number;
  /** The file as a whole was not valid JSON (truncated, overwritten…). */
  unparseable: boolean;
}

const JOB_STATES: ReadonlySet<JobState> = new Set(['queued', 'running', 'paused', 'waiting', 'completed', 'failed', 'cancelled', 'interrupted']);

export function emptyProgress(jobId: string, state: JobState): JobProgress {
  return {
    jobId, state, phase: 'planning', step: 'Queued', recordsDone: 0, recordsTotal: 0, bytesDone: 0, bytesTotal: 0,
    requestsUsed: 0, requestsPlanned: 0, etaSeconds: null, fraction: 0,
  };
}

export function serializeJobsFile(jobs: Iterable<StoredJob>): string {
  const byId: Record<string, StoredJob> = {};
  for (const j of jobs) byId[j.snapshot.id] = j;
  return JSON.stringify({ version: 2, jobs: byId }, null, 1) + '\n';
}

export function parseJobsFile(text: string): JobsFileContents {
  let members: Array<[string, unknown]>;
  let skipped = 0;
  let unparseable = false;
  try {
    const data = JSON.parse(text) as { jobs?: unknown } | null;
    const jobs = data && typeof data === 'object' ? data.jobs : undefined;
    if (jobs === undefined && data && typeof data === 'object' && Object.keys(data).length === 0) members = [];
    else if (!jobs || typeof jobs !== 'object' || Array.isArray(jobs)) throw new SyntaxError('no "jobs" object');
    else members = Object.entries(jobs as Record<string, unknown>);
  } catch {
    unparseable = true;
    const salvaged = salvageMembers(text);
    members = salvaged.members;
    skipped += salvaged.broken;
  }
  const jobs = new Map<string, StoredJob>();
  for (const [id, value] of members) {
    const job = toStoredJob(id, value);
    if (job) jobs.set(id, job);
    else skipped++;
  }
  return { jobs, skipped, unparseable };
}

/** A usable job from one entry, or null. Only a malformed progress is repaired (reset), not fatal. */
function toStoredJob(id: string, value: unknown): StoredJob | null {
  if (!isRecord(value) || !isRecord(value.snapshot)) return null;
  const s = value.snapshot;
  if (s.id !== id || typeof s.title !== 'string' || !JOB_STATES.has(s.state as JobState) || typeof s.createdAt !== 'string') return null;
  if (typeof value.workDir !== 'string' || typeof value.destination !== 'string') return null;
  // Saved before targets were generic: the same target in today's shape.
  const legacy = isRecord(s.request) ? upgradeLegacyTarget(s.request.target) : null;
  const request = legacy ? { ...(s.request as Record<string, unknown>), target: legacy } : s.request;
  if (!exportRequestSchema.safeParse(request).success) return null;
  if (s.sync !== undefined && !(isRecord(s.sync) && typeof s.sync.dir === 'string' && s.sync.dir !== '')) return null;
  const snapshot = { ...s, request, resumable: s.resumable === true } as unknown as JobSnapshot;
  if (!isProgress(s.progress)) snapshot.progress = emptyProgress(id, snapshot.state);
  const job: StoredJob = { snapshot, workDir: value.workDir, destination: value.destination };
  if (typeof value.outputPath === 'string') job.outputPath = value.outputPath;
  const owner = ownerOf(value);
  if (owner) job.owner = owner;
  return job;
}

function ownerOf(value: Record<string, unknown>): JobOwner | undefined {
  const o = value.owner;
  if (isRecord(o) && typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' && typeof o.heartbeatAt === 'number') {
    return { pid: o.pid, host: o.host, token: o.token, heartbeatAt: o.heartbeatAt };
  }
  // Written before owners had a host and heartbeat: a pid on this machine, alive or not.
  if (typeof value.ownerPid === 'number') return { pid: value.ownerPid, host: os.hostname(), token: 'legacy', heartbeatAt: Date.now() };
  return undefined;
}

function isProgress(p: unknown): p is JobProgress {
  return isRecord(p) && typeof p.fraction === 'number' && typeof p.step === 'string' && typeof p.requestsUsed === 'number' && typeof p.recordsDone === 'number';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The complete `"id": value` members of the top-level "jobs" object of text that is not valid
 * JSON as a whole (cut off, or damaged in the middle). A member counts only once its value is
 * closed and parses; `broken` counts the ones that do not (including one cut off at the end).
 */
export function salvageMembers(text: string): { members: Array<[string, unknown]>; broken: number } {
  const members: Array<[string, unknown]> = [];
  let broken = 0;
  const start = /"jobs"\s*:\s*\{/.exec(text);
  if (!start) return { members, broken: text.trim() ? 1 : 0 };
  let i = start.index + start[0].length;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /[\s,]/.test(text[i])) i++;
  };
  /** Index just past the string starting at i (a quote), or -1 if it never closes. */
  const stringEnd = (from: number): number => {
    for (let k = from + 1; k < n; k++) {
      if (text[k] === '\\') k++;
      else if (text[k] === '"') return k + 1;
    }
    return -1;
  };
  for (;;) {
    skipSpace();
    if (i >= n || text[i] === '}') break;
    if (text[i] !== '"') {
      broken++;
      break; // lost track of the structure: nothing after this can be trusted
    }
    const keyEnd = stringEnd(i);
    if (keyEnd < 0) {
      broken++;
      break;
    }
    let key: string;
    try {
      key = JSON.parse(text.slice(i, keyEnd)) as string;
    } catch {
      broken++;
      break;
    }
    i = keyEnd;
    while (i < n && /\s/.test(text[i])) i++;
    if (text[i] !== ':') {
      broken++;
      break;
    }
    i++;
    while (i < n && /\s/.test(text[i])) i++;
    // The value: scan to its end, minding strings and nesting.
    const valueStart = i;
    let depth = 0;
    let end = -1;
    for (; i < n; i++) {
      const c = text[i];
      if (c === '"') {
        const e = stringEnd(i);
        if (e < 0) break;
        i = e - 1;
        if (depth === 0) {
          end = e;
          break;
        }
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) {
          end = i; // a scalar value ended by the closing brace of "jobs"
          break;
        }
        depth--;
        if (depth === 0) {
          end = i + 1;
          break;
        }
      } else if (c === ',' && depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      broken++; // cut off inside this entry
      break;
    }
    i = end;
    try {
      members.push([key, JSON.parse(text.slice(valueStart, end))]);
    } catch {
      broken++;
    }
  }
  return { members, broken };
}
