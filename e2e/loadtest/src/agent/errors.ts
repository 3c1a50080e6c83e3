import { defineError } from '@plexus/errors';

// Every error the load agent raises, declared once with a stable code; tests match codes.
// The status is nominal: these errors end the agent process, they are not HTTP answers.

export const agentErrors = {
  badArguments: defineError<[string]>('PLX_LOADTEST_AGENT_BAD_ARGUMENTS', 500, '%s; usage: agent-main.ts --controller http://HOST:PORT [--source-addresses 127.0.1.1,127.0.1.2]'),
  controllerUnreachable: defineError<[string, number, string]>(
    'PLX_LOADTEST_AGENT_CONTROLLER_UNREACHABLE',
    500,
    'the controller at %s did not answer for %s ms (last: %s); the agent closes its devices and exits'
  ),
  controllerRefused: defineError<[string, string, number, string]>('PLX_LOADTEST_AGENT_CONTROLLER_REFUSED', 500, '%s %s answered %s: %s'),
  badControllerAnswer: defineError<[string, string]>('PLX_LOADTEST_AGENT_BAD_CONTROLLER_ANSWER', 500, '%s answered a body that is not a valid %s'),
  badSession: defineError<[string]>('PLX_LOADTEST_AGENT_BAD_SESSION', 500, 'the scenario session cannot run: %s')
} as const;
