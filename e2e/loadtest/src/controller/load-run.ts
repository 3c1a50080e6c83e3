import { hostname } from 'node:os';
import type { Report, RunSnapshot } from '../contracts/report.ts';
import type { Scenario } from '../contracts/scenario.ts';
import { checkLoss } from '../platform/loss-check.ts';
import { provisionFleet } from '../platform/fleet-provisioning.ts';
import { platformUrls, portsFromEnv } from '../platform/platform-launcher.ts';
import { DEFAULT_PLATFORM_PORTS } from '../platform/preflight-checks.ts';
import { runPreflight, type PreflightPlan, type PreflightResult } from '../platform/preflight.ts';
import { sourceAddressesFor } from '../platform/source-addresses.ts';
import { phaseAt } from '../scenario/arrival-plan.ts';
import { defaultMaxDurationMs } from '../scenario/estimate-duration.ts';
import { arrivalNotes, estimateDurationMs, loadScenario } from '../scenario/load-scenario.ts';
import { AgentRegistry } from './agent-registry.ts';
import { buildControllerServer, type ControllerState } from './controller-server.ts';
import { controllerErrors } from './errors.ts';
import { startLocalAgents, type LocalAgent } from './local-agents.ts';
import { NO_LATENCY } from './latency-summary.ts';
import { attachPlatform, type AttachedPlatform } from './platform-attachment.ts';
import { PlatformUsage } from './platform-usage.ts';
import { progressLine } from './progress-line.ts';
import { buildReport, judge } from './report-builder.ts';
import { writeReport } from './report-writer.ts';
import type { RunOptions } from './run-options.ts';
import { RunStats } from './run-stats.ts';

/** Devices one agent process holds: the per-process limit is 20,000 open files, and an agent needs a few of its own. */
export const DEVICES_PER_AGENT = 18_000;
/** Each source address then carries at most ~5,000 connections to the gateway port, far inside one address's ephemeral range. */
const SOURCE_ADDRESSES_PER_AGENT = 4;
const STATS_INTERVAL_MS = 1000;
/**
 * CONNECTs awaiting CONNACK over the whole fleet. The platform on its embedded defaults
 * authenticates 50-150 first-time devices a second here (FerretDB bound); every CONNECT beyond
 * what it clears in a few seconds only waits inside the gateway until its authentication times
 * out (10 s: 'server unavailable'). Runs of 50k-100k devices with 400-3,000 in flight lost
 * thousands of connects that way; arrivals now wait in the agents instead.
 */
const CONNECTS_IN_FLIGHT = 150;
const PROGRESS_INTERVAL_MS = 2000;
const AGENT_SILENCE_MS = 30_000;
const JOIN_TIMEOUT_MS = 120_000;
const RESULTS_TIMEOUT_MS = 120_000;

export interface RunOutcome {
  readonly report: Report;
  readonly reportDir: string;
  readonly dashboardUrl: string;
}

export interface RunHooks {
  /** Called once the dashboard listens, with its URL (tests open it in a browser). */
  readonly onDashboard?: (url: string) => void;
  readonly log: (line: string) => void;
  /** Aborted on Ctrl-C: agents stop at once, and the report covers what ran (`errors.interrupted`). */
  readonly interrupted?: AbortSignal;
}

/** A whole run: preflight, platform, fleet, agents, phases, loss check, report. */
export async function runLoadTest(options: RunOptions, root: string, hooks: RunHooks): Promise<RunOutcome> {
  const { log } = hooks;
  const loaded = await loadScenario(options.scenario);
  const scenario: Scenario = options.devices === undefined ? loaded.scenario : resized(loaded.scenario, options.devices);
  for (const line of loaded.unsupported) log(`scenario: unsupported: ${line}`);
  for (const line of [...loaded.notes, ...arrivalNotes(scenario)]) log(`scenario: ${line}`);

  const startedAt = Date.now();
  const runId = `${scenario.name}-${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  const { localAgents, expectedAgents } = agentCounts(options, scenario.devices);
  const estimatedMs = estimateDurationMs(scenario);

  let stats: RunStats | undefined;
  let registry: AgentRegistry | undefined;
  let runningSince: number | undefined;
  const state: ControllerState = {
    registry: undefined,
    stats: undefined,
    stage: 'preflight',
    snapshot: (): RunSnapshot => snapshotOf()
  };
  const snapshotOf = (): RunSnapshot => {
    const totals = stats?.totals();
    const now = Date.now();
    const sinceStart = runningSince === undefined ? 0 : now - runningSince;
    return {
      runId,
      scenario: scenario.name,
      state: state.stage,
      phase: runningSince === undefined ? '' : phaseAt(scenario.phases, sinceStart),
      elapsedSec: Math.round((now - startedAt) / 100) / 10,
      etaSec: runningSince === undefined ? null : Math.max(0, Math.round((estimatedMs - sinceStart) / 1000)),
      devices: scenario.devices,
      connected: totals?.connected ?? 0,
      peakConnected: totals?.peakConnected ?? 0,
      publishesSent: totals?.publishesSent ?? 0,
      acked: totals?.acked ?? 0,
      ackLatencyMs: stats?.ackLatencyMs() ?? NO_LATENCY,
      endToEndLatencyMs: stats?.endToEndLatencyMs() ?? NO_LATENCY,
      errors: totals?.errors ?? {},
      agents: (registry?.agents() ?? []).map((agent) => {
        const latest = stats?.agentStats(agent.agentId);
        return {
          agentId: agent.agentId,
          hostname: agent.hello.hostname,
          pid: agent.hello.pid,
          devices: agent.slice.count,
          connected: latest?.connected ?? 0,
          lastSeenMsAgo: now - agent.lastSeenAt,
          rssBytes: latest?.process.rssBytes ?? 0,
          cpuPercent: cpuPercentOf(agent.agentId),
          state: agent.state
        };
      }),
      series: [...(stats?.series() ?? [])]
    };
  };
  const previousCpu = new Map<string, { at: number; cpuMs: number; percent: number }>();
  const cpuPercentOf = (agentId: string): number => {
    const latest = stats?.agentStats(agentId);
    if (latest === undefined) return 0;
    const cpuMs = latest.process.cpuUserMs + latest.process.cpuSystemMs;
    const previous = previousCpu.get(agentId);
    if (previous === undefined || latest.at <= previous.at) {
      if (previous === undefined) previousCpu.set(agentId, { at: latest.at, cpuMs, percent: 0 });
      return previous?.percent ?? 0;
    }
    const percent = Math.round(((cpuMs - previous.cpuMs) / (latest.at - previous.at)) * 1000) / 10;
    previousCpu.set(agentId, { at: latest.at, cpuMs, percent });
    return percent;
  };

  const server = await buildControllerServer(state);
  await server.listen({ host: options.host, port: options.port });
  const dashboardUrl = `http://${options.host === '0.0.0.0' ? hostname() : options.host}:${(server.server.address() as { port: number }).port}`;
  log(`dashboard: ${dashboardUrl}/`);
  hooks.onDashboard?.(dashboardUrl);

  let platform: AttachedPlatform | undefined;
  let agents: LocalAgent[] = [];
  const platformUsage = new PlatformUsage();
  try {
    const preflight = await runPreflight(preflightPlanOf(scenario, options));
    for (const line of preflightLines(preflight)) log(line);
    const failed = preflight.checks.filter((check) => !check.ok);
    if (failed.length > 0) throw controllerErrors.preflightFailed(failed.map((check) => check.name).join(', '));

    const stopIfInterrupted = (): void => {
      if (hooks.interrupted?.aborted) throw controllerErrors.interrupted(state.stage);
    };
    stopIfInterrupted();
    state.stage = 'starting-platform';
    platform = await attachPlatform(options, root, scenario.devices, log);
    stopIfInterrupted();
    platformUsage.start(platform.rootPid);

    state.stage = 'provisioning';
    const fleet = await provisionFleet({
      controlPlaneUrl: platform.controlPlaneUrl,
      adminKey: platform.adminKey,
      runId,
      devices: scenario.devices,
      onProgress: (done: number) => log(`provisioning: ${done.toLocaleString('en-US')}/${scenario.devices.toLocaleString('en-US')} devices`)
    });

    stopIfInterrupted();
    const mqtt = new URL(platform.mqttUrl);
    stats = new RunStats(Date.now());
    registry = new AgentRegistry({
      runId,
      scenario,
      fleet,
      expectedAgents,
      mqtt: { host: mqtt.hostname, port: Number(mqtt.port || 1883) },
      sourceAddressesFor: (index) => sourceAddressesFor(index, SOURCE_ADDRESSES_PER_AGENT),
      statsIntervalMs: STATS_INTERVAL_MS,
      startLeadMs: 1000,
      connectsInFlight: CONNECTS_IN_FLIGHT
    });
    state.stats = stats;
    state.registry = registry;
    state.stage = 'waiting-for-agents';
    agents = startLocalAgents(localAgents, dashboardUrl);
    for (const local of agents) {
      // An agent that exits without having sent its result never will: stop waiting for it.
      void local.exited.then((how) => {
        const record = registry?.agents().find((agent) => agent.hello.pid === local.pid && agent.hello.hostname === hostname());
        if (record === undefined || record.state === 'done') return;
        log(`${record.agentId} (pid ${local.pid}) ended before sending its result: ${how}`);
        registry?.markLost(record.agentId);
      });
    }
    if (options.remoteAgents > 0) log(`waiting for ${options.remoteAgents} agents: loadtest agent --controller ${dashboardUrl}`);
    const joined = await Promise.race([registry.allJoined.then(() => true), timeout(JOIN_TIMEOUT_MS).then(() => false)]);
    stopIfInterrupted();
    if (!joined) throw controllerErrors.agentsMissing(registry.agents().length, expectedAgents, JOIN_TIMEOUT_MS / 1000);

    state.stage = 'running';
    runningSince = registry.startAt as number;
    stats.setOrigin(runningSince);
    const runErrors: Record<string, number> = {};
    await driveRun({ scenario, registry, stats, runErrors, log, snapshot: snapshotOf, runningSince, interrupted: hooks.interrupted });

    state.stage = 'collecting-results';
    const collected = await Promise.race([registry.allResults.then(() => true), timeout(RESULTS_TIMEOUT_MS).then(() => false)]);
    if (!collected) for (const agent of registry.agents()) registry.markLost(agent.agentId);
    const endedAt = Date.now();

    state.stage = 'checking-loss';
    const acked = new Array<number>(scenario.devices).fill(0);
    for (const agent of registry.agents()) {
      if (agent.result === undefined) {
        runErrors['agent_lost'] = (runErrors['agent_lost'] ?? 0) + 1;
        continue;
      }
      agent.result.ackedPerDevice.forEach((count, offset) => {
        acked[agent.result!.firstIndex + offset] = count;
      });
    }
    const loss = await checkLoss({
      dataPlaneUrl: platform.dataPlaneUrl,
      apiKey: fleet.apiKey,
      deviceIds: fleet.ids,
      acked,
      from: startedAt - 60_000,
      to: Date.now() + 60_000,
      storeWaitMs: scenario.thresholds.storeWaitMs,
      onProgress: (line: string) => log(`loss check: ${line}`)
    });
    stats.sample(Date.now());

    const report = buildReport({
      runId,
      scenario,
      startedAt,
      runningSince,
      endedAt,
      stats,
      registry,
      loss,
      runErrors,
      platform: platformUsage.summary(stats.totals().peakConnected),
      target: platform.target,
      unsupported: [...loaded.unsupported]
    });
    const judged = judge(report, scenario);
    state.stage = judged.passed ? 'done' : 'failed';
    const reportDir = await writeReport(options.outDir, judged);
    return { report: judged, reportDir, dashboardUrl };
  } catch (error) {
    state.stage = 'failed';
    registry?.tell('abort');
    throw error;
  } finally {
    platformUsage.stop();
    await stopAgents(agents);
    await platform?.release();
    await server.close();
  }
}

/** Agents started here (one per 18,000 devices unless `--agents` says) and in all. */
export function agentCounts(options: RunOptions, devices: number): { localAgents: number; expectedAgents: number } {
  const localAgents = options.localAgents ?? (options.remoteAgents > 0 ? 0 : Math.max(1, Math.ceil(devices / DEVICES_PER_AGENT)));
  const expectedAgents = localAgents + options.remoteAgents;
  if (expectedAgents === 0) throw controllerErrors.badOption('--agents', 'a run needs at least one agent');
  if (expectedAgents > devices) throw controllerErrors.badOption('--agents', `more agents (${expectedAgents}) than devices (${devices})`);
  return { localAgents, expectedAgents };
}

/** What this host must hold for the run: its agents' sockets and, unless the target is elsewhere, the platform's. */
export function preflightPlanOf(scenario: Scenario, options: RunOptions): PreflightPlan {
  const { localAgents, expectedAgents } = agentCounts(options, scenario.devices);
  const ports = platformUrls(portsFromEnv(process.env));
  const listenPorts = [ports.mqtt, ports.controlPlane, ports.dataPlane, ports.gatewayMetrics].map((url) => Number(new URL(url).port));
  return {
    agents: localAgents,
    connectionsPerAgent: Math.ceil(scenario.devices / expectedAgents),
    devices: scenario.devices,
    platformListenPorts: [...new Set([...DEFAULT_PLATFORM_PORTS, ...listenPorts, options.port])],
    sourceAddresses: localAgents * SOURCE_ADDRESSES_PER_AGENT
  };
}

export function preflightLines(result: PreflightResult): string[] {
  return result.checks.map((check) => `preflight: ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}${check.fixed === undefined ? '' : ` (set: ${check.fixed})`}`);
}

interface DriveContext {
  readonly scenario: Scenario;
  readonly registry: AgentRegistry;
  readonly stats: RunStats;
  readonly runErrors: Record<string, number>;
  readonly log: (line: string) => void;
  readonly snapshot: () => RunSnapshot;
  readonly runningSince: number;
  readonly interrupted: AbortSignal | undefined;
}

/**
 * Samples the run every second until every agent's devices have finished their sessions, the
 * scenario's time is up, or agents are lost; then tells the agents to finish.
 */
async function driveRun(context: DriveContext): Promise<void> {
  const { scenario, registry, stats, runErrors, log } = context;
  const deadline = context.runningSince + scenario.maxDurationMs;
  const endsByClock = hasOpenEndedStay(scenario.session);
  let lastProgress = 0;
  for (;;) {
    await delay(STATS_INTERVAL_MS);
    if (context.interrupted?.aborted) {
      runErrors['interrupted'] = 1;
      log('interrupted: the agents stop now; the report covers what ran (Ctrl-C again to quit without it)');
      registry.tell('abort');
      return;
    }
    const now = Date.now();
    stats.sample(now);
    if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = now;
      log(progressLine(context.snapshot()));
    }
    for (const agent of registry.agents()) {
      if (agent.state === 'running' && now - agent.lastSeenAt > AGENT_SILENCE_MS) {
        log(`${agent.agentId} (pid ${agent.hello.pid} on ${agent.hello.hostname}) has not reported for ${AGENT_SILENCE_MS / 1000} s: counted as lost`);
        registry.markLost(agent.agentId);
      }
    }
    const live = registry.agents().filter((agent) => agent.state === 'running');
    if (live.length === 0) break;
    const finished = live.every((agent) => (stats.agentStats(agent.agentId)?.devicesFinished ?? 0) >= agent.slice.count);
    if (finished) break;
    if (now > deadline) {
      if (endsByClock) {
        log(`the run's time is up (${scenario.maxDurationMs / 1000} s; its devices stay connected until then): finishing`);
        break;
      }
      runErrors['timeout'] = 1;
      log(`the run passed its maximum duration (${scenario.maxDurationMs / 1000} s): finishing`);
      break;
    }
  }
  registry.tell('finish');
}

/** Another fleet size for the same scenario: its time limit follows, since arrivals scale with it. */
function resized(scenario: Scenario, devices: number): Scenario {
  const changed = { ...scenario, devices };
  return { ...changed, maxDurationMs: defaultMaxDurationMs(changed) };
}

/** A `stay` without a duration holds devices until the run ends: such a run ends by its clock, which is then not a failure. */
function hasOpenEndedStay(steps: Scenario['session']): boolean {
  return steps.some((step) => (step.kind === 'stay' && step.durationMs === undefined) || (step.kind === 'loop' && hasOpenEndedStay(step.steps)));
}

async function stopAgents(agents: readonly LocalAgent[]): Promise<void> {
  await Promise.all(
    agents.map(async (agent) => {
      const ended = await Promise.race([agent.exited.then(() => true), timeout(10_000).then(() => false)]);
      if (!ended) agent.stop();
    })
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A wait that loses a race must not keep the process alive after the run. */
function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
