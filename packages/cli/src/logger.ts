// The CLI's pino logger: JSON lines on stderr (stdout is for the endpoints line), or pino-pretty with --pretty.
import pino, { type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Options of `createLogger`. */
export interface CliLoggerOptions {
  level: Level | 'silent';
  /** Human-readable colored lines instead of JSON. */
  pretty?: boolean;
}

/** A logger writing synchronously to stderr, so nothing is lost when the process exits. */
export function createLogger(options: CliLoggerOptions): Logger {
  if (options.pretty) return pino({ level: options.level }, pretty({ destination: 2, sync: true }));
  return pino({ level: options.level }, pino.destination({ dest: 2, sync: true }));
}
