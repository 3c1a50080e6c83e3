import { defineError } from '@plexus/errors';

// Every error the load suite's platform side raises (preflight, launcher, provisioning, loss
// check), declared once with a stable code; tests match codes. The status is nominal: these
// errors end a run, they are not HTTP answers.

export const loadtestPlatformErrors = {
  badSourceAddressRequest: defineError<[string]>('PLX_LOADTEST_PLATFORM_BAD_SOURCE_ADDRESS_REQUEST', 500, 'cannot pick source addresses: %s'),
  unexpectedProcText: defineError<[string, string]>('PLX_LOADTEST_PLATFORM_UNEXPECTED_PROC_TEXT', 500, 'cannot read %s: %s'),
  platformExited: defineError<[string, string]>(
    'PLX_LOADTEST_PLATFORM_EXITED',
    500,
    'the platform this run started exited before it was ready (%s); the last lines it printed:\n%s'
  ),
  platformNotReady: defineError<[number, string, string]>(
    'PLX_LOADTEST_PLATFORM_NOT_READY',
    500,
    'the platform this run started was not ready within %s s (%s); the last lines it printed:\n%s'
  ),
  adminKeyMissing: defineError<[string]>(
    'PLX_LOADTEST_PLATFORM_ADMIN_KEY_MISSING',
    500,
    'no admin API key for the running platform: %s; set PLEXUS_ADMIN_KEY to its bootstrap admin key'
  ),
  requestFailed: defineError<[string, string, number, string]>('PLX_LOADTEST_PLATFORM_REQUEST_FAILED', 500, '%s %s answered HTTP %s: %s'),
  registrationFailed: defineError<[number, number, string]>(
    'PLX_LOADTEST_PLATFORM_REGISTRATION_FAILED',
    500,
    'registered %s of %s devices through POST /v1/devices/bulk: %s'
  ),
  lossCheckMismatch: defineError<[string]>('PLX_LOADTEST_PLATFORM_LOSS_CHECK_MISMATCH', 500, 'the loss check cannot compare counts: %s')
} as const;
