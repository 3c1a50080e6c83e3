import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Percentiles } from '../contracts/report.ts';

// Agents send one compressed HdrHistogram (µs) per interval; the controller adds them into a
// whole-run histogram and an interval one, so percentiles are exact across agents rather than
// averages of averages.

export function emptyLatencyHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

/** Adds an agent's encoded histogram into each target; an empty string carries no samples. */
export function addEncodedHistogram(encoded: string, ...targets: Histogram[]): void {
  if (encoded === '') return;
  const decoded = decodeFromCompressedBase64(encoded, 32, false);
  for (const target of targets) target.add(decoded);
  decoded.destroy();
}

const toMs = (microseconds: number): number => Math.round(microseconds) / 1000;

/** The summary of no samples at all. */
export const NO_LATENCY: Percentiles = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

export function percentilesMs(histogram: Histogram): Percentiles {
  if (histogram.totalCount === 0) return NO_LATENCY;
  // A percentile is reported as the top of its bucket, which can sit just above the largest
  // value recorded; no percentile may exceed the maximum.
  const max = histogram.maxValue;
  const at = (percentile: number): number => toMs(Math.min(histogram.getValueAtPercentile(percentile), max));
  return { count: histogram.totalCount, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: toMs(max) };
}
