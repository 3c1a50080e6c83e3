import { defineError } from '@plexus/errors';

// Every error the agent-vs-Tsung benchmark raises, declared once with a stable code. The status
// is nominal: these errors end the benchmark command, they are not HTTP answers.

export const benchErrors = {
  badArguments: defineError<[string]>(
    'PLX_LOADTEST_BENCH_BAD_ARGUMENTS',
    500,
    '%s; usage: agent-vs-tsung.ts [--connections 10000] [--messages 200000] [--source-addresses 4] [--only agent|tsung]'
  ),
  toolMissing: defineError<[string, string]>('PLX_LOADTEST_BENCH_TOOL_MISSING', 500, '%s is not installed (%s)'),
  brokerFailed: defineError<[number, string]>('PLX_LOADTEST_BENCH_BROKER_FAILED', 500, 'mosquitto on port %s did not start: %s'),
  clientFailed: defineError<[string, string]>('PLX_LOADTEST_BENCH_CLIENT_FAILED', 500, '%s failed: %s'),
  stalled: defineError<[string, number, string]>('PLX_LOADTEST_BENCH_STALLED', 500, '%s: %s s without reaching %s; the run is stopped'),
  tooManyConnections: defineError<[number, number]>(
    'PLX_LOADTEST_BENCH_TOO_MANY_CONNECTIONS',
    500,
    '%s connections in one client process is over the %s this benchmark allows under the 20,000 open-file limit'
  )
} as const;
