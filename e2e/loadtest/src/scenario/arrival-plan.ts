import type { ArrivalPhase } from '../contracts/scenario.ts';

/**
 * When each of an agent's devices starts its session, in ms after the run's start. Every agent
 * runs every phase at its `share` of the rate and total, so N agents together follow the
 * scenario's curve. Devices left over when the phases end never start: the array is shorter.
 */
export function arrivalOffsets(phases: readonly ArrivalPhase[], share: number, devices: number): Float64Array {
  const offsets = new Float64Array(devices);
  let arrived = 0;
  let phaseStart = 0;
  for (const phase of phases) {
    const byRate = phase.ratePerSec === undefined ? Infinity : (phase.ratePerSec * share * phase.durationMs) / 1000;
    const byTotal = phase.total === undefined ? Infinity : phase.total * share;
    const planned = Math.min(byRate, byTotal);
    const count = Math.min(Math.round(planned), devices - arrived);
    // Arrivals are spaced by the rate when there is one, else spread over the whole phase.
    const gapMs = phase.ratePerSec === undefined ? phase.durationMs / Math.max(count, 1) : 1000 / (phase.ratePerSec * share);
    for (let k = 0; k < count; k++) offsets[arrived + k] = phaseStart + k * gapMs;
    arrived += count;
    phaseStart += phase.durationMs;
    if (arrived === devices) break;
  }
  return offsets.subarray(0, arrived);
}

/** Which phase an offset falls in, for progress lines; `done` after the last. */
export function phaseAt(phases: readonly ArrivalPhase[], offsetMs: number): string {
  let end = 0;
  for (const phase of phases) {
    end += phase.durationMs;
    if (offsetMs < end) return phase.name;
  }
  return 'done';
}
