// Where the CLI and browser mode keep their settings, profiles, jobs and key logs. The desktop app
// keeps its own files in Electron's userData, but shares the key logs here, so an open app and a
// scheduled `studydl` spend one budget per key.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STUDYDL_HOME) return env.STUDYDL_HOME;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'study-downloader');
}
