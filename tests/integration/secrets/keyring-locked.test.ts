// A keyring locked with another password, for real: in a private D-Bus session, gnome-keyring
// creates the login keyring with one password and stores a key; the daemon is restarted and
// unlocked with a different password, so the keyring stays locked (no prompt can be shown).
// Storing a key must then say "keyring locked" (reason `locked`), not "unexpected error".
// Skips itself, saying why, where gnome-keyring or dbus-run-session is missing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli-run';

const exec = promisify(execFile);
const tools = ['/usr/bin/gnome-keyring-daemon', '/usr/bin/dbus-run-session'];
const missing = tools.filter((t) => !existsSync(t));
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'keyring-calls.ts');

// Each daemon runs in the foreground under this script, so it is stopped by its own pid.
const SCRIPT = `
set -u
export HOME="$1/home" XDG_DATA_HOME="$1/data" XDG_RUNTIME_DIR="$1/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
start() { printf %s "$1" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$2" 2>&1 & DAEMON=$!; sleep 1.5; }
start first-password "$1/d1.log"
node --import tsx "${FIXTURE}" store > "$1/first.json"
kill $DAEMON; wait $DAEMON 2>/dev/null
start another-password "$1/d2.log"
node --import tsx "${FIXTURE}" check > "$1/second.json"
kill $DAEMON; wait $DAEMON 2>/dev/null
cat "$1/first.json" "$1/second.json"
`;

describe.skipIf(missing.length > 0)('a keyring locked with another password', () => {
  it('is reported as "keyring locked" (reason locked) when a key is stored', { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyring-locked-'));
    try {
      const script = path.join(dir, 'run.sh');
      await writeFile(script, SCRIPT);
      const env = { ...process.env };
      delete env.DBUS_SESSION_BUS_ADDRESS;
      delete env.GNOME_KEYRING_CONTROL;
      const { stdout } = await exec('/usr/bin/dbus-run-session', ['--', 'bash', script, dir], { cwd: REPO, env, timeout: 80_000 });
      const [first, second] = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, { ok: boolean; value?: unknown; reason?: string; message?: string }>);
      // With the right password the keyring works (the premise).
      expect(first.set.ok, JSON.stringify(first)).toBe(true);
      expect(first.get).toEqual({ ok: true, value: 'hst_test_locked_keyring_value' });
      // With another one it stays locked: a typed, plain-words "keyring locked".
      expect(second.set.ok).toBe(false);
      expect(second.set.reason).toBe('locked');
      expect(second.set.message).toMatch(/^Keyring locked/);
      expect(second.set.message).not.toMatch(/unexpected/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

if (missing.length > 0) it.skip(`locked keyring: skipped because ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed`, () => {});
