import { describe, expect, it } from 'vitest';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { LatencyRecorder } from './latency-recorder.ts';

// The recorder loads the histogram class and its encoder without the package index; the
// controller decodes with the index, so what one writes the other must read.

describe('LatencyRecorder', () => {
  it('encodes an interval the package decoder reads back, clamped to 1 µs .. 1 h, and starts the next one empty', () => {
    const recorder = new LatencyRecorder();
    for (let value = 1; value <= 1000; value++) recorder.record(value * 10);
    recorder.record(-5);
    recorder.record(7_200_000_000);
    expect(recorder.count).toBe(1002);

    const interval = decodeFromCompressedBase64(recorder.takeInterval());
    expect(interval.totalCount).toBe(1002);
    expect(interval.minNonZeroValue).toBe(1);
    expect(interval.maxValue).toBeGreaterThanOrEqual(3_600_000_000 * 0.999);
    expect(interval.getValueAtPercentile(50)).toBeCloseTo(5000, -1);
    expect(recorder.count).toBe(0);
    expect(decodeFromCompressedBase64(recorder.takeInterval()).totalCount).toBe(0);
  });
});
