import { loadtestPlatformErrors } from './errors.ts';
import { CONNECTIONS_PER_GATEWAY_WORKER, gatewayWorkersFor } from './gateway-sizing.ts';

// The preflight's decisions, as pure functions of the text the kernel shows under /proc, so they
// are tested with made-up machines; preflight.ts reads /proc, applies the fixes and probes sockets.

export interface PreflightPlan {
  readonly agents: number;
  readonly connectionsPerAgent: number;
  readonly devices: number;
  /** Ports the platform listens on; they must stay out of the ephemeral range's hands. */
  readonly platformListenPorts: readonly number[];
  /** Source addresses the agents bind, in total. */
  readonly sourceAddresses: number;
}

export interface PreflightCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was found and, for a failing check, what to do about it. */
  readonly detail: string;
  /** What the preflight wrote to make the check pass. */
  readonly fixed?: string;
}

/** A value to write under /proc/sys before the check can pass. */
export interface ProcWrite {
  readonly path: string;
  readonly value: string;
}

/** A check as decided from the facts: passing, failing, or passing once `write` is applied. */
export interface PreflightDecision {
  readonly check: PreflightCheck;
  readonly write?: ProcWrite;
}

export interface PortRange {
  readonly low: number;
  readonly high: number;
}

export const FILE_MAX_PATH = '/proc/sys/fs/file-max';
export const PORT_RANGE_PATH = '/proc/sys/net/ipv4/ip_local_port_range';
export const RESERVED_PORTS_PATH = '/proc/sys/net/ipv4/ip_local_reserved_ports';

/** Files an agent needs besides its connections: Node itself, pipes, the controller link, logs. */
export const OPEN_FILE_MARGIN = 200;
/** The hard open-file limit of this machine's processes; it cannot be raised from inside. */
export const MACHINE_OPEN_FILE_CEILING = 20_000;
/** The range a root preflight widens to when the current one is too narrow. */
export const WIDE_PORT_RANGE: PortRange = { low: 1024, high: 65_000 };
/** The load suite's own dashboard, which must not be taken as an ephemeral port either. */
export const DASHBOARD_PORT = 8091;
/** Every port `./plexus start` listens on by default (ARCHITECTURE.md, default ports). */
export const DEFAULT_PLATFORM_PORTS: readonly number[] = [1883, 8883, 8080, 8081, 9100, 6379, 27017, 4567];

// Memory per connected device: the gateway's session and socket buffers, the lean agent client,
// and the kernel's two loopback TCP sockets (measured: ~10 GB of kernel memory at a million).
const GATEWAY_BYTES_PER_DEVICE = 6 * 1024;
const AGENT_BYTES_PER_DEVICE = 2.5 * 1024;
const KERNEL_BYTES_PER_DEVICE = 10 * 1024;
export const BYTES_PER_DEVICE = GATEWAY_BYTES_PER_DEVICE + AGENT_BYTES_PER_DEVICE + KERNEL_BYTES_PER_DEVICE;
// Baselines before any connection. A gateway worker: 6 workers and their primary took 944 to
// 1,022 MiB at rest (docs/benchmarks.md, 100k idle connections). An agent: a Node process with
// its client code, estimated. The engines, the control and data planes and the controller: estimated.
const GATEWAY_WORKER_BASELINE_BYTES = 140 * 2 ** 20;
const AGENT_BASELINE_BYTES = 60 * 2 ** 20;
const PLANES_AND_ENGINES_BASELINE_BYTES = 2 ** 30;
/** Below this share of MemAvailable the budget passes without comment. */
const COMFORTABLE_MEMORY_SHARE = 0.85;
/** Sockets beyond the devices' own: engines, planes, agents' links, everything else on the box. */
const FILE_MAX_MARGIN = 65_536;

/** Soft and hard "Max open files" of /proc/<pid>/limits; `unlimited` reads as Infinity. */
export function parseOpenFileLimits(limitsText: string): { soft: number; hard: number } {
  const line = limitsText.split('\n').find((candidate) => candidate.startsWith('Max open files'));
  const fields = line?.slice('Max open files'.length).trim().split(/\s+/) ?? [];
  const value = (field: string | undefined) => (field === 'unlimited' ? Infinity : Number(field));
  const soft = value(fields[0]);
  const hard = value(fields[1]);
  if (Number.isNaN(soft) || Number.isNaN(hard)) throw loadtestPlatformErrors.unexpectedProcText('/proc/self/limits', "no 'Max open files' line");
  return { soft, hard };
}

export function parsePortRange(text: string): PortRange {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (low === undefined || high === undefined || !Number.isInteger(low) || !Number.isInteger(high)) throw loadtestPlatformErrors.unexpectedProcText(PORT_RANGE_PATH, `'${text.trim()}' is not a port range`);
  return { low, high };
}

/** `ip_local_reserved_ports` is a comma list of ports and `low-high` ranges. */
export function parseReservedPorts(text: string): PortRange[] {
  return text
    .trim()
    .split(',')
    .filter((item) => item !== '')
    .map((item) => {
      const [low, high] = item.split('-').map(Number);
      return { low: low as number, high: high ?? (low as number) };
    });
}

/** MemAvailable of /proc/meminfo, in bytes. */
export function parseMemAvailable(meminfoText: string): number {
  const match = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(meminfoText);
  if (match === null) throw loadtestPlatformErrors.unexpectedProcText('/proc/meminfo', 'no MemAvailable line');
  return Number(match[1]) * 1024;
}

export function portRangeSize(range: PortRange): number {
  return range.high - range.low + 1;
}

export function checkOpenFiles(plan: PreflightPlan, limitsText: string): PreflightDecision {
  const { soft, hard } = parseOpenFileLimits(limitsText);
  const needed = plan.connectionsPerAgent + OPEN_FILE_MARGIN;
  const found = `open-file limit soft ${soft}, hard ${hard}; an agent holding ${plan.connectionsPerAgent} connections needs ${needed}`;
  if (soft >= needed) return { check: { name: 'open-file limit', ok: true, detail: found } };
  if (hard >= needed) {
    return {
      check: { name: 'open-file limit', ok: false, detail: `${found}: raise the soft limit in the shell that starts the run ('ulimit -n ${hard}')` }
    };
  }
  const fitting = Math.max(0, hard - OPEN_FILE_MARGIN);
  return {
    check: {
      name: 'open-file limit',
      ok: false,
      detail:
        `${found}: run more agents with at most ${fitting} connections each. The hard limit is set outside this machine's ` +
        `processes (here ${MACHINE_OPEN_FILE_CEILING.toLocaleString('en-US')} at most), so no process on it can raise its own, root included`
    }
  };
}

/** Both ends of every loopback connection are open files: the agents' and the gateway's, twice over for headroom. */
export function fileMaxNeeded(devices: number): number {
  return 2 * (2 * devices) + FILE_MAX_MARGIN;
}

export function checkFileMax(plan: PreflightPlan, fileMaxText: string, isRoot: boolean): PreflightDecision {
  const current = Number(fileMaxText.trim());
  const needed = fileMaxNeeded(plan.devices);
  const name = 'system-wide file limit';
  if (current >= needed) return { check: { name, ok: true, detail: `fs.file-max ${current} ≥ ${needed} for ${plan.devices} devices` } };
  if (isRoot) {
    return {
      check: { name, ok: true, detail: `fs.file-max was ${current}, ${needed} needed for ${plan.devices} devices`, fixed: `${FILE_MAX_PATH} = ${needed}` },
      write: { path: FILE_MAX_PATH, value: String(needed) }
    };
  }
  return {
    check: { name, ok: false, detail: `fs.file-max is ${current}, ${needed} needed for ${plan.devices} devices: run 'sudo sysctl -w fs.file-max=${needed}'` }
  };
}

/** The ports that must be reserved: the platform's listeners and the dashboard. */
export function listenPortsToProtect(plan: PreflightPlan): number[] {
  return [...new Set([...plan.platformListenPorts, DASHBOARD_PORT])].sort((a, b) => a - b);
}

/**
 * The ephemeral range must hold each source address's share of the connections. Widening is done
 * only when the current range is too small: it is a machine-wide setting others share.
 */
export function checkPortRange(plan: PreflightPlan, rangeText: string, isRoot: boolean): PreflightDecision {
  const range = parsePortRange(rangeText);
  const size = portRangeSize(range);
  const addresses = Math.max(1, plan.sourceAddresses);
  const perAddress = Math.ceil(plan.devices / addresses);
  const name = 'ephemeral port range';
  const found = `ports ${range.low}-${range.high} (${size} per source address and destination); ${plan.devices} devices over ${addresses} source addresses is ${perAddress} each`;
  if (perAddress <= size) return { check: { name, ok: true, detail: found } };
  const wide = portRangeSize(WIDE_PORT_RANGE);
  const addressesNeeded = Math.ceil(plan.devices / size);
  if (isRoot && perAddress <= wide) {
    const value = `${WIDE_PORT_RANGE.low} ${WIDE_PORT_RANGE.high}`;
    return { check: { name, ok: true, detail: found, fixed: `${PORT_RANGE_PATH} = ${value}` }, write: { path: PORT_RANGE_PATH, value } };
  }
  return {
    check: {
      name,
      ok: false,
      detail:
        `${found}: give the agents at least ${addressesNeeded} source addresses in total` +
        (isRoot ? '' : `, or widen the range as root ('sudo sysctl -w net.ipv4.ip_local_port_range="${WIDE_PORT_RANGE.low} ${WIDE_PORT_RANGE.high}"')`)
    }
  };
}

/**
 * Listener ports inside the ephemeral range (the current one, or the one about to be written)
 * must be reserved, or an outgoing connection can take one and the platform cannot start.
 */
export function checkReservedPorts(plan: PreflightPlan, reservedText: string, range: PortRange, isRoot: boolean): PreflightDecision {
  const reserved = parseReservedPorts(reservedText);
  const isReserved = (port: number) => reserved.some((item) => port >= item.low && port <= item.high);
  const exposed = listenPortsToProtect(plan).filter((port) => port >= range.low && port <= range.high && !isReserved(port));
  const name = 'reserved listener ports';
  if (exposed.length === 0) {
    return { check: { name, ok: true, detail: `no listener port of the platform or dashboard lies unreserved in ${range.low}-${range.high}` } };
  }
  const value = [...reservedText.trim().split(',').filter((item) => item !== ''), ...exposed.map(String)].join(',');
  const found = `ports ${exposed.join(', ')} lie in the ephemeral range ${range.low}-${range.high} unreserved`;
  if (isRoot) return { check: { name, ok: true, detail: found, fixed: `${RESERVED_PORTS_PATH} = ${value}` }, write: { path: RESERVED_PORTS_PATH, value } };
  return { check: { name, ok: false, detail: `${found}: run 'sudo sysctl -w net.ipv4.ip_local_reserved_ports=${value}'` } };
}

export interface MemoryEstimate {
  readonly connections: number;
  readonly gatewayWorkers: number;
  readonly agents: number;
  readonly planesAndEngines: number;
  readonly total: number;
}

export function memoryNeeded(plan: PreflightPlan): MemoryEstimate {
  const connections = plan.devices * BYTES_PER_DEVICE;
  // The primary counts as one more worker.
  const gatewayWorkers = (gatewayWorkersFor(plan.devices) + 1) * GATEWAY_WORKER_BASELINE_BYTES;
  const agents = plan.agents * AGENT_BASELINE_BYTES;
  const planesAndEngines = PLANES_AND_ENGINES_BASELINE_BYTES;
  return { connections, gatewayWorkers, agents, planesAndEngines, total: connections + gatewayWorkers + agents + planesAndEngines };
}

export function checkMemory(plan: PreflightPlan, meminfoText: string): PreflightDecision {
  const available = parseMemAvailable(meminfoText);
  const needed = memoryNeeded(plan);
  const name = 'memory budget';
  const found =
    `${gib(needed.total)} needed for ${plan.devices} devices: ${gib(needed.connections)} for connections (${(BYTES_PER_DEVICE / 1024).toFixed(1)} KiB each: ` +
    `gateway, agent and kernel sockets), ${gib(needed.gatewayWorkers)} for ${gatewayWorkersFor(plan.devices)} gateway workers and their primary at rest, ` +
    `${gib(needed.agents)} for ${plan.agents} agents at rest, ${gib(needed.planesAndEngines)} for the planes and engines; ${gib(available)} available`;
  if (needed.total <= available * COMFORTABLE_MEMORY_SHARE) return { check: { name, ok: true, detail: found } };
  if (needed.total <= available) return { check: { name, ok: true, detail: `${found}: tight, stop other work on this machine for the run` } };
  // Each device also brings its share of a gateway worker's baseline.
  const perDevice = BYTES_PER_DEVICE + GATEWAY_WORKER_BASELINE_BYTES / CONNECTIONS_PER_GATEWAY_WORKER;
  const fixed = needed.agents + needed.planesAndEngines + GATEWAY_WORKER_BASELINE_BYTES;
  const fitting = Math.max(0, Math.floor((available * COMFORTABLE_MEMORY_SHARE - fixed) / perDevice));
  return { check: { name, ok: false, detail: `${found}: run at most ~${fitting} devices here, or free memory` } };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
