import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

// The histogram class and its encoder only: the package index would also load its WebAssembly
// build (inlined in a module), its log reader and writer and four more histogram kinds, ~6 MB
// more resident in every agent (measured) for code an agent never runs. Required, not imported:
// the files are CommonJS with an `exports.default`, which importers interpret differently.
const require = createRequire(import.meta.url);
type EncodableHistogram = Histogram & { encodeIntoCompressedBase64(): string };
const { default: Int32Histogram } = require('hdr-histogram-js/dist/Int32Histogram.js') as {
  default: new (lowestDiscernibleValue: number, highestTrackableValue: number, significantDigits: number) => EncodableHistogram;
};
// Adds encodeIntoCompressedBase64 (the format the controller decodes) to every JS histogram.
require('hdr-histogram-js/dist/JsHistogram.encoding.js');
const LOWEST_US = 1;
const HIGHEST_US = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

/**
 * One latency distribution in µs (1 µs .. 1 h, 3 significant digits), shipped per stats
 * interval as a compressed base64 HdrHistogram the controller merges across agents.
 */
export class LatencyRecorder {
  // 32-bit counts, fixed range (JS histograms do not resize unless told to).
  private readonly histogram = new Int32Histogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS);

  record(microseconds: number): void {
    // Clamped, so a clock step between hosts or a stalled run cannot throw on the hot path.
    this.histogram.recordValue(Math.min(Math.max(Math.round(microseconds), LOWEST_US), HIGHEST_US));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The interval's histogram, encoded; the recorder starts the next interval empty. */
  takeInterval(): string {
    const encoded = this.histogram.encodeIntoCompressedBase64();
    this.histogram.reset();
    return encoded;
  }
}
