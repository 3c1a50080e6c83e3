// Every error this package raises, declared once with a stable code. Callers and tests match
// on `code`; the message is for the person reading the terminal and may change.

export class EngineError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

export const engineErrors = {
  portInUse: (port: number, what: string, hint: string): EngineError =>
    new EngineError('PLX_ENGINE_PORT_IN_USE', `port ${port} for ${what} is already in use; ${hint}`),

  binaryMissing: (what: string, hint: string): EngineError =>
    new EngineError('PLX_ENGINE_BINARY_MISSING', `${what} is not installed; ${hint}`),

  spawnFailed: (name: string, reason: string): EngineError =>
    new EngineError('PLX_ENGINE_SPAWN_FAILED', `${name} could not be started: ${reason}`),

  exitedEarly: (name: string, exit: string, logTail: string): EngineError =>
    new EngineError('PLX_ENGINE_EXITED_EARLY', `${name} exited during start-up (${exit})${formatTail(logTail)}`),

  startTimeout: (name: string, url: string, seconds: number, lastProblem: string, logTail: string): EngineError =>
    new EngineError(
      'PLX_ENGINE_START_TIMEOUT',
      `${name} did not answer a health check at ${url} within ${seconds} s (last problem: ${lastProblem})${formatTail(logTail)}`
    )
} as const;

function formatTail(logTail: string): string {
  const trimmed = logTail.trim();
  return trimmed === '' ? '; its log is empty' : `; last lines of its log:\n${trimmed}`;
}
