// Every error the platform runner raises, declared once with a stable code; tests match codes.

export class PlatformError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'PlatformError';
    this.code = code;
  }
}

export const platformErrors = {
  badEnv: (variable: string, expected: string, value: string): PlatformError =>
    new PlatformError('PLX_PLATFORM_BAD_ENV', `${variable} must be ${expected}, got '${value}'`),

  appMissing: (name: string, entry: string): PlatformError =>
    new PlatformError('PLX_PLATFORM_APP_MISSING', `${name} cannot start: ${entry} does not exist`),

  appExitedEarly: (name: string, exit: string): PlatformError =>
    new PlatformError('PLX_PLATFORM_APP_EXITED_EARLY', `${name} exited during start-up (${exit}); its output is above`),

  appNotReady: (name: string, readyUrl: string, seconds: number, lastProblem: string): PlatformError =>
    new PlatformError(
      'PLX_PLATFORM_APP_NOT_READY',
      `${name} did not become ready within ${seconds} s: GET ${readyUrl} last gave ${lastProblem}`
    ),

  badSecretFile: (file: string, expected: string): PlatformError =>
    new PlatformError(
      'PLX_PLATFORM_BAD_SECRET_FILE',
      `${file} does not hold ${expected}; delete it to have a new one generated on the next start`
    ),

  unknownCommand: (command: string): PlatformError =>
    new PlatformError('PLX_PLATFORM_UNKNOWN_COMMAND', `unknown command '${command}'; use 'start' or 'test'`)
} as const;
