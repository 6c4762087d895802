// Runs `studydl` as a real process (node --import tsx src-main/cli/main.ts), feeding stdin.
import { execFileSync, spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { toKeychainUnavailable } from '../../../src-main/core/secrets/keychain-unavailable';
import { createKeytarStore } from '../../../src-main/core/secrets/keytar-store';

export const REPO = path.resolve(import.meta.dirname, '../../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number; onStdout?: (soFar: string, child: ReturnType<typeof spawn>) => void },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { cwd: REPO, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`studydl ${args.join(' ')} did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A clean environment for the CLI: no inherited key, a private config dir. */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, STUDYDL_HOME: home, STUDYDL_KEYCHAIN_SERVICE: TEST_KEYCHAIN_SERVICE };
  delete env.HYPERSTUDY_API_KEY;
  delete env.HYPERSTUDY_BASE_URL;
  delete env.NODE_OPTIONS;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Every file under root whose bytes contain needle (like `grep -r`). */
export async function filesContaining(root: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  let names: string[];
  try {
    names = (await readdir(root, { recursive: true })).map(String);
  } catch {
    return hits;
  }
  for (const name of names) {
    const p = path.join(root, name);
    const st = await stat(p).catch(() => null);
    if (!st?.isFile()) continue;
    const bytes = await readFile(p);
    if (bytes.includes(Buffer.from(needle))) hits.push(p);
  }
  return hits;
}

/** Entry name → bytes of a ZIP, read by Python's zipfile (an independent reader). */
export function zipEntriesContaining(zipPath: string, needle: string): string[] {
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'needle = sys.argv[2].encode()',
    'assert z.testzip() is None',
    'print("\\n".join(n for n in z.namelist() if needle in z.read(n)))',
    'print("ENTRIES=%d" % len(z.namelist()), file=sys.stderr)',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script, zipPath, needle], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter(Boolean);
}

/** The service name the tests store under, away from real entries. */
export const TEST_KEYCHAIN_SERVICE = 'Study Downloader (tests)';

/** Whether the real OS keychain answers here; `why` names the reason (and detail) when it does not. */
export function probeTestKeychain(): Promise<{ ok: true; why: '' } | { ok: false; why: string }> {
  return createKeytarStore({ service: TEST_KEYCHAIN_SERVICE })
    .probe!()
    .then(() => ({ ok: true as const, why: '' as const }))
    .catch((e: unknown) => {
      const err = toKeychainUnavailable(e);
      return { ok: false as const, why: `${err.reason}: ${String(err.details?.detail ?? err.message)}` };
    });
}

/** No session bus at all (so no keychain): what a headless Linux box without a keyring looks like. */
export const noBus = { DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
