import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  checkFileMax,
  checkMemory,
  checkOpenFiles,
  checkPortRange,
  checkReservedPorts,
  FILE_MAX_PATH,
  parsePortRange,
  PORT_RANGE_PATH,
  RESERVED_PORTS_PATH,
  type PreflightCheck,
  type PreflightDecision,
  type PreflightPlan
} from './preflight-checks.ts';

export type { PreflightCheck, PreflightPlan } from './preflight-checks.ts';

export interface PreflightResult {
  /** True when every check passed (possibly after a fix the preflight wrote). */
  readonly ok: boolean;
  readonly checks: readonly PreflightCheck[];
}

/** Addresses far apart in 127.0.0.0/8 that agents bind: if these work, the block is routed to loopback. */
const PROBE_ADDRESSES = ['127.0.1.1', '127.0.254.254'];

export interface PreflightOptions {
  /** Write the kernel settings that fall short when running as root (default true); false only reports. */
  readonly fix?: boolean;
}

/**
 * Checks the machine against the run's plan and, when running as root, writes the kernel settings
 * that fall short. Fixes are written in an order that never opens a gap: reserved ports before
 * the range is widened over them.
 */
export async function runPreflight(plan: PreflightPlan, options: PreflightOptions = {}): Promise<PreflightResult> {
  const isRoot = (options.fix ?? true) && process.getuid?.() === 0;
  const fileMax = checkFileMax(plan, readFileSync(FILE_MAX_PATH, 'utf8'), isRoot);
  const portRange = checkPortRange(plan, readFileSync(PORT_RANGE_PATH, 'utf8'), isRoot);
  const rangeInEffect = parsePortRange(portRange.write?.value ?? readFileSync(PORT_RANGE_PATH, 'utf8'));
  const reservedPorts = checkReservedPorts(plan, readFileSync(RESERVED_PORTS_PATH, 'utf8'), rangeInEffect, isRoot);

  const checks: PreflightCheck[] = [checkOpenFiles(plan, readFileSync('/proc/self/limits', 'utf8')).check];
  for (const decision of [fileMax, reservedPorts, portRange]) checks.push(applyFix(decision));
  checks.push(await checkLoopbackSourceAddresses());
  checks.push(checkMemory(plan, readFileSync('/proc/meminfo', 'utf8')).check);
  return { ok: checks.every((check) => check.ok), checks };
}

function applyFix(decision: PreflightDecision): PreflightCheck {
  if (decision.write === undefined) return decision.check;
  try {
    writeFileSync(decision.write.path, decision.write.value);
    return decision.check;
  } catch (error) {
    const { fixed: _notWritten, ...check } = decision.check;
    return { ...check, ok: false, detail: `${check.detail}: writing ${decision.write.value} to ${decision.write.path} failed (${(error as Error).message}); set it by hand` };
  }
}

async function checkLoopbackSourceAddresses(): Promise<PreflightCheck> {
  const name = 'loopback source addresses';
  const failures: string[] = [];
  for (const address of PROBE_ADDRESSES) {
    const problem = await bindProblem(address);
    if (problem !== undefined) failures.push(`${address}: ${problem}`);
  }
  if (failures.length === 0) return { name, ok: true, detail: `sockets bind to ${PROBE_ADDRESSES.join(' and ')}, so 127.0.0.0/8 is usable` };
  return {
    name,
    ok: false,
    detail: `binding failed (${failures.join('; ')}): route 127.0.0.0/8 to the loopback interface ('sudo ip addr add 127.0.0.0/8 dev lo') or give agents configured addresses`
  };
}

function bindProblem(host: string): Promise<string | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port: 0, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
