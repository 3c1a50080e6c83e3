import { defineError } from '@plexus/errors';

// Every error the load-test controller raises, declared once with a stable code. The HTTP ones
// answer agents; the others end a run with a message for the person who started it.

export const controllerErrors = {
  validation: defineError<[string]>('PLX_LOADTEST_VALIDATION', 400, '%s'),
  invalidJson: defineError<[string]>('PLX_LOADTEST_INVALID_JSON', 400, 'request body is not valid JSON: %s'),
  bodyTooLarge: defineError<[number]>('PLX_LOADTEST_BODY_TOO_LARGE', 413, 'request body is larger than %s bytes'),
  unsupportedMediaType: defineError<[string]>('PLX_LOADTEST_UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported content type %s'),
  badRequest: defineError<[string]>('PLX_LOADTEST_BAD_REQUEST', 400, '%s'),
  routeNotFound: defineError<[string, string]>('PLX_LOADTEST_ROUTE_NOT_FOUND', 404, 'no route %s %s'),
  internal: defineError('PLX_LOADTEST_INTERNAL', 500, 'internal error; see the controller output'),
  notAcceptingAgents: defineError<[string]>('PLX_LOADTEST_NOT_ACCEPTING_AGENTS', 503, 'the run is not taking agents now (%s); retry'),
  runFull: defineError<[number]>('PLX_LOADTEST_RUN_FULL', 409, 'the run already has its %s agents'),
  unknownAgent: defineError<[string]>('PLX_LOADTEST_UNKNOWN_AGENT', 404, "no agent '%s' in this run"),
  resultMismatch: defineError<[string]>('PLX_LOADTEST_RESULT_MISMATCH', 400, "the result of agent '%s' does not match its device slice"),
  badOption: defineError<[string, string]>('PLX_LOADTEST_BAD_OPTION', 400, '%s: %s'),
  agentsMissing: defineError<[number, number, number]>(
    'PLX_LOADTEST_AGENTS_MISSING',
    500,
    '%s of %s agents joined within %s s; start the others with --controller, or lower --remote-agents'
  ),
  preflightFailed: defineError<[string]>('PLX_LOADTEST_PREFLIGHT_FAILED', 500, 'preflight failed (%s): see the lines above for what to change'),
  interrupted: defineError<[string]>('PLX_LOADTEST_INTERRUPTED', 500, 'interrupted while %s; everything this run started is stopped')
} as const;
