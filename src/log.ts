// pino logger on stderr; Redis loglevel names map onto pino levels.
import pino, { type Logger } from 'pino';

const LEVELS: Record<string, string> = {
  debug: 'debug', verbose: 'debug', notice: 'info', warning: 'warn', warn: 'warn', info: 'info', nothing: 'silent', silent: 'silent',
};

export function createLogger(loglevel: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level: LEVELS[loglevel] ?? 'info', base: { pid: process.pid, ...bindings } }, pino.destination({ fd: 2, sync: false }));
}
