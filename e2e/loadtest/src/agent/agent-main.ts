import { flushCompileCache } from 'node:module';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { printFailure } from '@plexus/errors';
import { runAssignment } from './agent-run.ts';
import { ControllerClient } from './controller-client.ts';
import { agentErrors } from './errors.ts';

// A load agent process: `node --max-semi-space-size=2 e2e/loadtest/src/agent/agent-main.ts
// --controller http://HOST:PORT [--source-addresses 127.0.1.1,127.0.1.2]`. The controller forks
// it on its own host; on another host a person starts it with that host's source-address aliases.
// A small young generation (1 or 2 MB) cuts the resident growth of 10,000 idle connections from
// ~48 MB to 25-37 MB (measured against mosquitto) at no measurable publish throughput cost; V8
// reads it only at start, so it is a command-line flag, not something this process can set.

const DEFAULT_GIVE_UP_MS = 30_000;

function parseAgentArguments(argv: readonly string[]): { controller: string; sourceAddresses: string[]; giveUpAfterMs: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        controller: { type: 'string' },
        'source-addresses': { type: 'string' },
        'controller-timeout-ms': { type: 'string' }
      },
      strict: true
    }));
  } catch (error) {
    throw agentErrors.badArguments((error as Error).message);
  }
  const controller = values.controller;
  if (controller === undefined || !URL.canParse(controller)) throw agentErrors.badArguments('--controller must be the URL of the run controller');
  const giveUpAfterMs = Number(values['controller-timeout-ms'] ?? DEFAULT_GIVE_UP_MS);
  if (!Number.isInteger(giveUpAfterMs) || giveUpAfterMs <= 0) throw agentErrors.badArguments('--controller-timeout-ms must be a positive whole number');
  const sourceAddresses = (values['source-addresses'] ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  return { controller, sourceAddresses, giveUpAfterMs };
}

/** Joins the controller's run, runs this agent's devices, and answers the process exit code. */
export async function runAgent(argv: readonly string[]): Promise<number> {
  // Every module is loaded by now: with a compile cache (agent-environment.ts), write it at once
  // rather than at exit, so agents started later in this run and an agent that is killed share it.
  flushCompileCache();
  const { controller, sourceAddresses, giveUpAfterMs } = parseAgentArguments(argv);
  const client = new ControllerClient(controller, giveUpAfterMs);
  const assignment = await client.hello({ hostname: hostname(), pid: process.pid, sourceAddresses });
  const log = (line: string): void => console.log(`[agent ${assignment.agentId}] ${line}`);
  return runAssignment(assignment, client, log);
}

if (import.meta.main) {
  runAgent(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      printFailure('agent', error);
      process.exit(1);
    }
  );
}
