import { defineError } from '@plexus/errors';

// Every error the platform runner raises, declared once with a stable code; tests match codes.
// The status is nominal: these errors end a command, they are not HTTP answers.

export const platformErrors = {
  badEnv: defineError<[string, string, string]>('PLX_PLATFORM_BAD_ENV', 500, "%s must be %s, got '%s'"),
  appMissing: defineError<[string, string]>('PLX_PLATFORM_APP_MISSING', 500, '%s cannot start: %s does not exist'),
  appExitedEarly: defineError<[string, string]>('PLX_PLATFORM_APP_EXITED_EARLY', 500, '%s exited during start-up (%s); its output is above'),
  appNotReady: defineError<[string, number, string, string]>(
    'PLX_PLATFORM_APP_NOT_READY',
    500,
    '%s did not become ready within %s s: GET %s last gave %s'
  ),
  badSecretFile: defineError<[string, string]>(
    'PLX_PLATFORM_BAD_SECRET_FILE',
    500,
    '%s does not hold %s; delete it to have a new one generated on the next start'
  ),
  opensslMissing: defineError(
    'PLX_PLATFORM_OPENSSL_MISSING',
    500,
    "the openssl command is needed to make the development TLS certificates: run ./plexus setup, or 'sudo apt-get install -y openssl'"
  ),
  tlsGenerationFailed: defineError<[string, string]>('PLX_PLATFORM_TLS_GENERATION_FAILED', 500, '%s failed making the development TLS certificates: %s'),
  unknownCommand: defineError<[string]>('PLX_PLATFORM_UNKNOWN_COMMAND', 500, "unknown command '%s'; use 'start' or 'test'")
} as const;
