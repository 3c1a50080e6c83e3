import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AgentResult, AgentStats, Assignment } from '../contracts/agent-protocol.ts';
import { arrivalOffsets, phaseAt } from '../scenario/arrival-plan.ts';
import { agentProcessUsage } from './agent-process-usage.ts';
import { isRetryableFailure, type ControllerClient } from './controller-client.ts';
import { DeviceCounters } from './device-counters.ts';
import { KeepaliveWheel } from './keepalive-wheel.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { compileSession } from './session-program.ts';
import { SessionRunner } from './session-runner.ts';

// One agent's part of a run, from its assignment to its result: devices start at their arrival
// offsets, stats go to the controller every interval, and its directive (or SIGTERM, or losing
// the controller) ends the run: every connection closed, the per-device counts posted.

/** How long a result may take to post when the agent was told to stop by a signal. */
const RESULT_AFTER_SIGNAL_MS = 3000;

export async function runAssignment(assignment: Assignment, controller: ControllerClient, log: (line: string) => void): Promise<number> {
  const { agentId, scenario, devices, statsIntervalMs } = assignment;
  const counters = new DeviceCounters(devices.ids.length);
  const ackLatency = new LatencyRecorder();
  const endToEndLatency = new LatencyRecorder();
  const wheel = new KeepaliveWheel();
  const runner = new SessionRunner({
    program: compileSession(scenario.session, Math.random),
    deviceIds: devices.ids,
    tokens: devices.tokens,
    arrivals: arrivalOffsets(scenario.phases, assignment.share, devices.ids.length),
    startAt: assignment.startAt,
    mqtt: { host: await resolvedHost(assignment), port: assignment.mqtt.port },
    sourceAddresses: assignment.sourceAddresses,
    ...(assignment.maxConnectsInFlight === undefined ? {} : { maxConnecting: assignment.maxConnectsInFlight }),
    counters,
    ackLatency,
    endToEndLatency,
    keepalive: wheel,
    onAllFinished: () => log(`every session ended (${counters.devicesFinished} devices); waiting for the controller to finish the run`)
  });

  const snapshot = (): AgentStats => {
    const at = Date.now();
    return {
      agentId,
      at,
      phase: runner.allStarted ? 'done' : at < assignment.startAt ? 'waiting' : phaseAt(scenario.phases, at - assignment.startAt),
      devicesStarted: counters.devicesStarted,
      devicesFinished: counters.devicesFinished,
      connected: counters.connected,
      connects: counters.connects,
      publishesSent: counters.publishesSent,
      acked: counters.acked,
      received: counters.received,
      errors: counters.errors(),
      ackLatencyUs: ackLatency.takeInterval(),
      endToEndLatencyUs: endToEndLatency.takeInterval(),
      process: agentProcessUsage()
    };
  };

  log(`joined run ${assignment.runId} as ${agentId}: ${devices.ids.length} devices over ${assignment.sourceAddresses.length} source addresses, starting in ${Math.max(0, assignment.startAt - Date.now())} ms`);
  wheel.start();
  runner.start();

  return new Promise<number>((resolve) => {
    let ending = false;
    let lastContact = Date.now();
    let statsTimer: NodeJS.Timeout | null = null;

    const end = async (mode: 'finish' | 'abort', reason: string, exitCode: number, resultWithinMs: number): Promise<void> => {
      if (ending) return;
      ending = true;
      if (statsTimer !== null) clearTimeout(statsTimer);
      process.off('SIGTERM', onSignal);
      log(`${reason}: closing ${counters.connected} connections (${mode})`);
      await runner.finish(mode);
      runner.stop();
      wheel.stop();
      if (exitCode !== 0) return resolve(exitCode);
      const result: AgentResult = {
        agentId,
        firstIndex: devices.firstIndex,
        ackedPerDevice: Array.from(counters.ackedPerDevice),
        sentPerDevice: Array.from(counters.sentPerDevice),
        final: snapshot()
      };
      try {
        await controller.result(agentId, result, resultWithinMs);
        log(`result posted: ${counters.publishesSent} sent, ${counters.acked} acknowledged`);
        resolve(0);
      } catch (error) {
        log(`the result could not be posted: ${(error as Error).message}`);
        resolve(1);
      }
    };

    const onSignal = (): void => void end('abort', 'SIGTERM', 0, RESULT_AFTER_SIGNAL_MS);
    process.once('SIGTERM', onSignal);

    const report = async (): Promise<void> => {
      statsTimer = null;
      try {
        const directive = await controller.stats(agentId, snapshot());
        lastContact = Date.now();
        if (directive.action !== 'continue') return void end(directive.action, `the controller said ${directive.action}`, 0, controller.giveUpAfterMs);
      } catch (error) {
        if (!isRetryableFailure(error)) return void end('abort', (error as Error).message, 1, 0);
        // Devices must not linger after their controller is gone.
        if (Date.now() - lastContact > controller.giveUpAfterMs) {
          return void end('abort', `the controller has not answered for ${Date.now() - lastContact} ms (${(error as Error).message})`, 1, 0);
        }
      }
      if (!ending) statsTimer = setTimeout(() => void report(), statsIntervalMs);
    };
    // The first report goes at once, before the start instant: taken with no device connected
    // yet, it is the agent's idle baseline for its memory per connection.
    statsTimer = setTimeout(() => void report(), 0);
  });
}

/**
 * The gateway's address, looked up once (per connection, 18k lookups would queue on libuv's
 * four threads), in the family of the source addresses the connections bind.
 */
async function resolvedHost(assignment: Assignment): Promise<string> {
  const { host } = assignment.mqtt;
  if (isIP(host) !== 0) return host;
  const family = isIP(assignment.sourceAddresses[0] ?? '') === 6 ? 6 : 4;
  return (await lookup(host, { family })).address;
}
