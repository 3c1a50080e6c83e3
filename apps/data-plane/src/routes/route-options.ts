import type { ShadowService, DeadLetterStore } from '@plexus/telemetry-ingest';
import type { TimeSeriesStore } from '@plexus/telemetry-store';

export interface DataRouteOptions {
  readonly timeSeries: TimeSeriesStore;
  readonly shadows: ShadowService;
  readonly deadLetters: DeadLetterStore;
  readonly now: () => number;
}
