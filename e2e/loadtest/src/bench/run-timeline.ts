import type { BenchBroker } from './bench-broker.ts';
import { bytesRead, cpuMs, openFiles, rssBytes } from './process-probe.ts';

// The client and the broker read from /proc every few ms for the whole of one client's run.
// Phases are found afterwards in the samples (see measure-phases.ts), the same way for both
// clients, so neither client's own counters decide where its idle or publish phase lies.

export interface TimelineSample {
  readonly atMs: number;
  readonly clientCpuMs: number;
  readonly clientRssBytes: number;
  readonly brokerCpuMs: number;
  /** Bytes the broker has read so far: it climbs with connects and publishes, not while clients idle. */
  readonly brokerBytesRead: number;
  /** Client connections the broker holds (its open files beyond those it had at rest). */
  readonly connections: number;
}

export interface RunTimeline {
  readonly samples: readonly TimelineSample[];
  /** The newest sample, or null before the client process is known. */
  latest(): TimelineSample | null;
  stop(): readonly TimelineSample[];
}

export function startTimeline(clientPid: () => number | null, broker: BenchBroker, intervalMs: number): RunTimeline {
  const filesAtRest = openFiles(broker.pid) ?? 0;
  const samples: TimelineSample[] = [];
  const sample = (): void => {
    const pid = clientPid();
    if (pid === null) return;
    const clientCpuMs = cpuMs(pid);
    const clientRssBytes = rssBytes(pid);
    if (clientCpuMs === null || clientRssBytes === null) return;
    const brokerCpuMs = cpuMs(broker.pid) ?? 0;
    const brokerBytesRead = bytesRead(broker.pid) ?? 0;
    const connections = (openFiles(broker.pid) ?? 0) - filesAtRest;
    samples.push({ atMs: performance.now(), clientCpuMs, clientRssBytes, brokerCpuMs, brokerBytesRead, connections });
  };
  const timer = setInterval(sample, intervalMs);
  let stopped = false;
  return {
    samples,
    latest: () => samples.at(-1) ?? null,
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        sample();
      }
      return samples;
    }
  };
}
