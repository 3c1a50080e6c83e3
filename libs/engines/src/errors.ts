import { defineError } from '@plexus/errors';

// Every error this package raises, declared once with a stable code. Callers and tests match
// on `code`; the message is for the person reading the terminal and may change. The status is
// nominal: these errors end a command, they are not HTTP answers.

const exitedEarly = defineError<[string, string, string]>('PLX_ENGINE_EXITED_EARLY', 500, '%s exited during start-up (%s)%s');
const startTimeout = defineError<[string, string, number, string, string]>(
  'PLX_ENGINE_START_TIMEOUT',
  500,
  '%s did not answer a health check at %s within %s s (last problem: %s)%s'
);

export const engineErrors = {
  portInUse: defineError<[number, string, string]>('PLX_ENGINE_PORT_IN_USE', 500, 'port %s for %s is already in use; %s'),
  binaryMissing: defineError<[string, string]>('PLX_ENGINE_BINARY_MISSING', 500, '%s is not installed; %s'),
  spawnFailed: defineError<[string, string]>('PLX_ENGINE_SPAWN_FAILED', 500, '%s could not be started: %s'),
  streamNotActive: defineError<[string, string, number, string]>(
    'PLX_ENGINE_STREAM_NOT_ACTIVE',
    500,
    "Kinesis stream '%s' at %s was not ACTIVE within %s s (last status: %s)"
  ),
  exitedEarly: (name: string, exit: string, logTail: string) => exitedEarly(name, exit, formatTail(logTail)),
  startTimeout: (name: string, url: string, seconds: number, lastProblem: string, logTail: string) =>
    startTimeout(name, url, seconds, lastProblem, formatTail(logTail))
} as const;

function formatTail(logTail: string): string {
  const trimmed = logTail.trim();
  return trimmed === '' ? '; its log is empty' : `; last lines of its log:\n${trimmed}`;
}
