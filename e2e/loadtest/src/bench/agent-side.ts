import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS, agentEnvironment } from '../agent/agent-environment.ts';
import { startBenchController } from './bench-controller.ts';
import type { BenchBroker } from './bench-broker.ts';
import { agentScenario, type BenchShape } from './bench-shape.ts';
import type { ClientRun } from './client-run.ts';
import { benchErrors } from './errors.ts';
import { measurePhases } from './measure-phases.ts';
import { startTimeline } from './run-timeline.ts';
import { watchChild } from './child-output.ts';

// The load suite's agent, run as the controller runs it: a child process with the controller's
// node flags and environment (its compile cache, src/agent/agent-environment.ts), joined to the
// benchmark's controller.

const AGENT_MAIN = fileURLToPath(new URL('../agent/agent-main.ts', import.meta.url));
const SAMPLE_INTERVAL_MS = 100;

export async function runAgentSide(shape: BenchShape, broker: BenchBroker, limitMs: number): Promise<ClientRun> {
  warmCompileCache();
  const scenario = agentScenario(shape);
  const controller = await startBenchController({ scenario, broker: { host: '127.0.0.1', port: broker.port }, sourceAddresses: shape.sourceAddresses });
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, AGENT_MAIN, '--controller', controller.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: agentEnvironment()
  });
  const { output, exited } = watchChild(child);
  const timeline = startTimeline(() => child.pid ?? null, broker, SAMPLE_INTERVAL_MS);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      controller.result,
      exited.then((code) => Promise.reject(benchErrors.clientFailed('the agent', `exited with ${code} before posting its result: ${output()}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(benchErrors.stalled('the agent', limitMs / 1000, 'the end of its run')), limitMs);
      })
    ]);
    const samples = timeline.stop();
    const code = await exited;
    if (code !== 0) throw benchErrors.clientFailed('the agent', `exited with ${code}: ${output()}`);
    return {
      client: 'Plexus load agent',
      connections: shape.connections,
      publishesAcked: result.final.acked,
      errors: result.final.errors,
      measured: measurePhases('the agent', samples, shape.connections, shape.settleMs)
    };
  } finally {
    clearTimeout(timer);
    timeline.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await controller.close();
  }
}

/**
 * Measures the agent as every run after the first on a host starts it: an agent started without
 * arguments loads every module, writes the compile cache and exits on its usage error.
 */
function warmCompileCache(): void {
  spawnSync(process.execPath, [...AGENT_NODE_FLAGS, AGENT_MAIN], { stdio: 'ignore', env: agentEnvironment() });
}
