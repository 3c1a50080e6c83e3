import type { ProcessUsage } from '../contracts/agent-protocol.ts';

/** This process's CPU time so far and its memory now. */
export function agentProcessUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { pid: process.pid, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
}
