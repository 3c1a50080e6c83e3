import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

const LOWEST_US = 1;
const HIGHEST_US = 3_600_000_000;

/**
 * One latency distribution in µs (1 µs .. 1 h, 3 significant digits), shipped per stats
 * interval as a compressed base64 HdrHistogram the controller merges across agents.
 */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false
  });

  record(microseconds: number): void {
    // Clamped, so a clock step between hosts or a stalled run cannot throw on the hot path.
    this.histogram.recordValue(Math.min(Math.max(Math.round(microseconds), LOWEST_US), HIGHEST_US));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The interval's histogram, encoded; the recorder starts the next interval empty. */
  takeInterval(): string {
    const encoded = encodeIntoCompressedBase64(this.histogram);
    this.histogram.reset();
    return encoded;
  }
}
