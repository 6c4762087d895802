// A logger for tests that keeps every line (debug included) exactly as the file logger would
// write it, so a test can assert what was logged, and that no secret was.
import { formatLogLine } from '../src-main/core/log/logger';
import type { Logger } from '../src-main/core/ports';

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, extra?: Record<string, unknown>) => void lines.push(formatLogLine(0, level, msg, extra));
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
