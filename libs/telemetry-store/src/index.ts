export type { DeviceShadow, ShadowChange, ShadowDocument, ShadowMetadata, ShadowStore } from './shadow-store.ts';
export type { FieldAggregate, Page, PageRequest, RollupBucket, RollupInterval, TelemetryPoint, TimeRange, TimeSeriesStore } from './time-series-store.ts';
