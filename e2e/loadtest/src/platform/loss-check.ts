import type { TelemetryCountsResponse } from '@plexus/contracts';
import { loadtestPlatformErrors } from './errors.ts';

export interface LossCheckOptions {
  readonly dataPlaneUrl: string;
  /** A tenant key with telemetry:read. */
  readonly apiKey: string;
  readonly deviceIds: readonly string[];
  /** PUBACKs received per device, in the order of deviceIds. */
  readonly acked: ArrayLike<number>;
  /** The run's time range in epoch ms: points stored with a time inside it are counted. */
  readonly from: number;
  readonly to: number;
  /** How long to keep asking about devices still short of their acks: the data plane trails the stream. */
  readonly storeWaitMs: number;
  /** A line after each counts call: devices counted so far, and how many are still short of their acks. */
  readonly onProgress?: (line: string) => void;
}

export interface DeviceCounts {
  readonly deviceId: string;
  readonly acked: number;
  readonly stored: number;
}

export interface LossCheckResult {
  /** Points stored for the fleet in the range. */
  readonly stored: number;
  /** Acknowledged messages not found in storage (per device, acked − stored where positive). */
  readonly lost: number;
  /** The first 100 devices with lost messages. */
  readonly lostDevices: DeviceCounts[];
  /**
   * Devices with more stored points than acknowledgements. Storage is keyed by message id, so a
   * QoS 1 resend is no extra point; more stored than acked means a PUBACK the agent never counted.
   */
  readonly extra: { readonly devices: number; readonly messages: number; readonly firstDevices: DeviceCounts[] };
}

/** The counts route takes up to 10,000 devices a call. */
export const DEVICES_PER_COUNTS_CALL = 10_000;
const REPORTED_DEVICES = 100;
const PARALLEL_CALLS = 2;
const RECHECK_INTERVAL_MS = 1_000;

/**
 * Compares each device's acknowledged count with its stored count. Devices still short are asked
 * about again, and only they, until they catch up or storeWaitMs has passed.
 */
export async function checkLoss(options: LossCheckOptions): Promise<LossCheckResult> {
  const total = options.deviceIds.length;
  if (options.acked.length !== total) {
    throw loadtestPlatformErrors.lossCheckMismatch(`${options.acked.length} acked counts for ${total} devices`);
  }
  const stored = new Float64Array(total);
  const deadline = Date.now() + options.storeWaitMs;
  const isBehind = (index: number) => (stored[index] as number) < (options.acked[index] as number);
  let checked = 0;
  let behind = 0;
  let pending = Array.from({ length: total }, (_, index) => index);
  let firstPass = true;
  for (;;) {
    await countInto(options, pending, stored, (chunk) => {
      // The first pass finds who is behind; later passes only ask about those, and count who caught up.
      if (firstPass) {
        checked += chunk.length;
        behind += chunk.filter(isBehind).length;
      } else {
        behind -= chunk.filter((index) => !isBehind(index)).length;
      }
      options.onProgress?.(`${checked.toLocaleString('en-US')}/${total.toLocaleString('en-US')} devices counted, ${behind.toLocaleString('en-US')} short of their acks`);
    });
    firstPass = false;
    pending = pending.filter(isBehind);
    if (pending.length === 0 || Date.now() + RECHECK_INTERVAL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, RECHECK_INTERVAL_MS));
  }
  return summarize(options.deviceIds, options.acked, stored);
}

async function countInto(options: LossCheckOptions, indexes: readonly number[], stored: Float64Array, onChunk: (indexes: readonly number[]) => void): Promise<void> {
  const chunks: number[][] = [];
  for (let start = 0; start < indexes.length; start += DEVICES_PER_COUNTS_CALL) chunks.push(indexes.slice(start, start + DEVICES_PER_COUNTS_CALL));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as number[];
      const counts = await fetchCounts(options, chunk.map((index) => options.deviceIds[index] as string));
      chunk.forEach((index, position) => (stored[index] = counts[position] as number));
      onChunk(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, chunks.length) }, worker));
}

async function fetchCounts(options: LossCheckOptions, deviceIds: string[]): Promise<number[]> {
  const path = '/v1/telemetry/counts';
  const response = await fetch(`${options.dataPlaneUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ deviceIds, from: String(options.from), to: String(options.to) })
  });
  const text = await response.text();
  if (response.status !== 200) throw loadtestPlatformErrors.requestFailed('POST', path, response.status, text);
  const { counts } = JSON.parse(text) as TelemetryCountsResponse;
  if (counts.length !== deviceIds.length || counts.some((entry, position) => entry.deviceId !== deviceIds[position])) {
    throw loadtestPlatformErrors.lossCheckMismatch(`${path} answered ${counts.length} counts for ${deviceIds.length} devices, or in another order`);
  }
  return counts.map((entry) => entry.count);
}

function summarize(deviceIds: readonly string[], acked: ArrayLike<number>, stored: Float64Array): LossCheckResult {
  let storedTotal = 0;
  let lost = 0;
  let extraDevices = 0;
  let extraMessages = 0;
  const lostDevices: DeviceCounts[] = [];
  const firstExtra: DeviceCounts[] = [];
  for (let index = 0; index < deviceIds.length; index++) {
    const counts = { deviceId: deviceIds[index] as string, acked: acked[index] as number, stored: stored[index] as number };
    storedTotal += counts.stored;
    if (counts.stored < counts.acked) {
      lost += counts.acked - counts.stored;
      if (lostDevices.length < REPORTED_DEVICES) lostDevices.push(counts);
    } else if (counts.stored > counts.acked) {
      extraDevices++;
      extraMessages += counts.stored - counts.acked;
      if (firstExtra.length < REPORTED_DEVICES) firstExtra.push(counts);
    }
  }
  return { stored: storedTotal, lost, lostDevices, extra: { devices: extraDevices, messages: extraMessages, firstDevices: firstExtra } };
}
