import type { Report } from '../contracts/report.ts';
import type { Scenario } from '../contracts/scenario.ts';
import type { AgentRegistry } from './agent-registry.ts';
import type { PlatformProcessSummary } from './platform-usage.ts';
import type { RunStats } from './run-stats.ts';

export interface LossFigures {
  readonly stored: number;
  readonly lost: number;
  readonly lostDevices: ReadonlyArray<{ deviceId: string; acked: number; stored: number }>;
}

export interface ReportInputs {
  readonly runId: string;
  readonly scenario: Scenario;
  readonly startedAt: number;
  /** When the first phase began (after the platform, the fleet and the agents were ready). */
  readonly runningSince: number;
  readonly endedAt: number;
  readonly stats: RunStats;
  readonly registry: AgentRegistry;
  readonly loss: LossFigures;
  /** Errors the controller itself saw (lost agents, a timeout), beside the agents' own. */
  readonly runErrors: Readonly<Record<string, number>>;
  readonly platform: readonly PlatformProcessSummary[];
  readonly target: Report['target'];
  readonly unsupported: readonly string[];
}

const perSecond = (count: number, seconds: number): number => (seconds > 0 ? Math.round(count / seconds) : 0);

/** The run's figures as report.json holds them; `judge` then decides pass or fail. */
export function buildReport(inputs: ReportInputs): Report {
  const { stats, registry, loss } = inputs;
  const totals = stats.totals();
  const durationSec = Math.round((inputs.endedAt - inputs.runningSince) / 100) / 10;
  const series = stats.series();
  const connectSeconds = connectWindowSeconds(series);
  const publishSeconds = activeSeconds(series, (point) => point.publishRate > 0);
  const errors: Record<string, number> = { ...totals.errors };
  for (const [kind, count] of Object.entries(inputs.runErrors)) errors[kind] = (errors[kind] ?? 0) + count;
  return {
    runId: inputs.runId,
    scenario: inputs.scenario.name,
    passed: true,
    failures: [],
    startedAt: new Date(inputs.startedAt).toISOString(),
    durationSec,
    devices: inputs.scenario.devices,
    peakConnected: totals.peakConnected,
    connectRatePerSec: perSecond(totals.connects, connectSeconds),
    publishesSent: totals.publishesSent,
    acked: totals.acked,
    stored: loss.stored,
    lost: loss.lost,
    lostDevices: [...loss.lostDevices],
    publishRatePerSec: perSecond(totals.publishesSent, publishSeconds),
    ackLatencyMs: stats.ackLatencyMs(),
    endToEndLatencyMs: stats.endToEndLatencyMs(),
    errors,
    agents: registry.agents().map((agent) => {
      const latest = stats.agentStats(agent.agentId);
      const peaks = stats.agentPeaks(agent.agentId);
      const growth = peaks === undefined || !Number.isFinite(peaks.idleRssBytes) ? undefined : peaks.peakRssBytes - peaks.idleRssBytes;
      return {
        agentId: agent.agentId,
        hostname: agent.hello.hostname,
        devices: agent.slice.count,
        peakConnected: peaks?.peakConnected ?? 0,
        usage: latest?.process ?? { pid: agent.hello.pid, cpuUserMs: 0, cpuSystemMs: 0, rssBytes: 0, heapUsedBytes: 0 },
        peakRssBytes: peaks?.peakRssBytes ?? 0,
        bytesPerConnection: growth === undefined || (peaks?.peakConnected ?? 0) === 0 ? null : Math.round(growth / (peaks as { peakConnected: number }).peakConnected)
      };
    }),
    platform: [...inputs.platform],
    target: inputs.target,
    unsupported: [...inputs.unsupported],
    series: [...series]
  };
}

/** From the first to the last interval with connects: the connect rate of the ramp, not of the whole run. */
function connectWindowSeconds(series: ReturnType<RunStats['series']>): number {
  return activeSeconds(series, (point) => point.connectRate > 0);
}

function activeSeconds(series: ReturnType<RunStats['series']>, active: (point: ReturnType<RunStats['series']>[number]) => boolean): number {
  const first = series.findIndex(active);
  if (first === -1) return 0;
  const last = series.findLastIndex(active);
  const start = first === 0 ? 0 : (series[first - 1] as { t: number }).t;
  return (series[last] as { t: number }).t - start;
}

/** Pass or fail against the scenario's thresholds, with one sentence per failure. */
export function judge(report: Report, scenario: Scenario): Report {
  const failures: string[] = [];
  const { maxLost, maxErrorRatio } = scenario.thresholds;
  if (report.lost > maxLost) failures.push(`${report.lost} acknowledged messages are missing from storage (allowed: ${maxLost})`);
  const errorCount = Object.values(report.errors).reduce((sum, count) => sum + count, 0);
  if (errorCount > maxErrorRatio * report.devices) {
    failures.push(`${errorCount} errors for ${report.devices} devices (allowed: ${Math.floor(maxErrorRatio * report.devices)}): ${JSON.stringify(report.errors)}`);
  }
  const lostAgents = report.errors['agent_lost'] ?? 0;
  if (lostAgents > 0) failures.push(`${lostAgents} agents ended without sending their counts: loss was not checked for their devices`);
  if ((report.errors['interrupted'] ?? 0) > 0) failures.push('the run was interrupted before its sessions ended');
  if ((report.errors['timeout'] ?? 0) > 0) failures.push(`the sessions had not ended by the scenario's maxDuration (${scenario.maxDurationMs / 1000} s)`);
  if (report.publishesSent > 0 && report.acked === 0) failures.push('no publish was acknowledged');
  if (report.peakConnected === 0) failures.push('no device connected');
  return { ...report, passed: failures.length === 0, failures };
}
