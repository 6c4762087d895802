// A small file/console logger implementing the core's Logger port. Every line is redacted:
// an API key can never reach the log, whatever a caller passes in.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { redactSecrets } from '../../../src-shared/errors';
import type { Logger } from '../ports';
import { redactValue } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  /** Appended to (created 0600). */
  file?: string;
  level?: LogLevel;
  /** true writes to process.stderr; a stream writes there. */
  console?: boolean | Writable;
  now?: () => number;
}

export interface FileLogger extends Logger {
  /** Closes the log file. */
  close(): void;
}

/** One log line: ISO time, level, message, then the extras as JSON. Redacted. */
export function formatLogLine(time: number, level: Exclude<LogLevel, 'silent'>, msg: string, extra?: Record<string, unknown>): string {
  let tail = '';
  if (extra && Object.keys(extra).length) {
    try {
      tail = ' ' + JSON.stringify(redactValue(extra));
    } catch {
      tail = ' [unserializable extra]';
    }
  }
  return `${new Date(time).toISOString()} ${level.toUpperCase().padEnd(5)} ${redactSecrets(msg)}${redactSecrets(tail)}\n`;
}

export function createLogger(opts: LoggerOptions = {}): FileLogger {
  const threshold = RANK[opts.level ?? 'info'];
  const now = opts.now ?? Date.now;
  const consoleStream: Writable | undefined = opts.console === true ? process.stderr : opts.console || undefined;
  let fd: number | null = null;
  if (opts.file) {
    mkdirSync(path.dirname(opts.file), { recursive: true });
    fd = openSync(opts.file, 'a', 0o600);
  }

  function write(level: Exclude<LogLevel, 'silent'>, msg: string, extra?: Record<string, unknown>): void {
    if (RANK[level] < threshold) return;
    const line = formatLogLine(now(), level, msg, extra);
    if (fd !== null) {
      try {
        writeSync(fd, line);
      } catch {
        // A full disk must not turn logging into a crash.
      }
    }
    consoleStream?.write(line);
  }

  return {
    debug: (m, e) => write('debug', m, e),
    info: (m, e) => write('info', m, e),
    warn: (m, e) => write('warn', m, e),
    error: (m, e) => write('error', m, e),
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
