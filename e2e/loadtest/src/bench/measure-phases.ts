import { benchErrors } from './errors.ts';
import type { TimelineSample } from './run-timeline.ts';

// Where a client's run went idle and where it published, read off its timeline: at rest before
// the first connection, idle once every connection is up and the broker reads nothing, publishing
// from the last sample before the broker starts reading again until every connection is gone.

/** Bytes the broker may read while the clients are "idle" (a stray keepalive ping is 2 bytes). */
const IDLE_READ_ALLOWANCE = 64 * 1024;

export interface PhaseMeasurement {
  readonly restRssBytes: number;
  /** Highest resident size while every connection was up and idle. */
  readonly idleRssBytes: number;
  readonly bytesPerIdleConnection: number;
  /** Client CPU from the last idle sample until every connection had closed. */
  readonly publishCpuMs: number;
  readonly publishWallMs: number;
  readonly brokerPublishCpuMs: number;
  readonly idleWallMs: number;
}

export function measurePhases(client: string, samples: readonly TimelineSample[], connections: number, settleMs: number): PhaseMeasurement {
  const firstUp = samples.findIndex((sample) => sample.connections > 0);
  if (firstUp < 1) throw benchErrors.clientFailed(client, firstUp === 0 ? 'it connected before it was sampled at rest' : 'it never connected');
  const allUp = samples.findIndex((sample) => sample.connections >= connections);
  if (allUp < 0) {
    const peak = Math.max(...samples.map((sample) => sample.connections));
    throw benchErrors.clientFailed(client, `${peak} of ${connections} connections were up at once at most`);
  }
  const rest = samples[firstUp - 1] as TimelineSample;
  const upAt = samples[allUp] as TimelineSample;
  const publishing = samples.findIndex((sample, index) => index > allUp && sample.brokerBytesRead - upAt.brokerBytesRead > IDLE_READ_ALLOWANCE);
  if (publishing < 0) throw benchErrors.clientFailed(client, 'the broker reads nothing after every connection was up: it never published');
  const idleEnd = samples[publishing - 1] as TimelineSample;
  if (idleEnd.atMs - upAt.atMs < settleMs) {
    throw benchErrors.clientFailed(client, `it was idle for ${Math.round(idleEnd.atMs - upAt.atMs)} ms with every connection up, less than the ${settleMs} ms needed`);
  }
  const closed = samples.findIndex((sample, index) => index > publishing && sample.connections <= 0);
  if (closed < 0) throw benchErrors.clientFailed(client, 'its connections were still open when sampling stopped');
  const end = samples[closed] as TimelineSample;
  const idleRssBytes = Math.max(...samples.slice(allUp, publishing).map((sample) => sample.clientRssBytes));
  return {
    restRssBytes: rest.clientRssBytes,
    idleRssBytes,
    bytesPerIdleConnection: (idleRssBytes - rest.clientRssBytes) / connections,
    publishCpuMs: end.clientCpuMs - idleEnd.clientCpuMs,
    publishWallMs: end.atMs - idleEnd.atMs,
    brokerPublishCpuMs: end.brokerCpuMs - idleEnd.brokerCpuMs,
    idleWallMs: idleEnd.atMs - upAt.atMs
  };
}
