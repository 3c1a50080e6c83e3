import { pino, type Logger, type LoggerOptions } from 'pino';

// Secrets never reach the logs: API keys and device tokens travel in these fields.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.key',
  '*.claimToken'
];

export function loggerOptions(name: string, level: string): LoggerOptions {
  return { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

export function createLogger(name: string, level: string): Logger {
  return pino(loggerOptions(name, level));
}

export type { Logger };
