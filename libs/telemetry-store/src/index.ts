export type { DeviceShadow, ShadowChange, ShadowDocument, ShadowMetadata, ShadowStore } from './shadow-store.ts';
export type { FieldAggregate, Page, PageRequest, RollupBucket, RollupInterval, TelemetryPoint, TimeRange, TimeSeriesStore } from './time-series-store.ts';
export { telemetryStoreErrors } from './errors.ts';
export { flattenNumericFields, MAX_FIELD_DEPTH, MAX_NUMERIC_FIELDS } from './numeric-fields.ts';
export {
  addPointToBucket,
  bucketStart,
  emptyRollupBucket,
  isLaterPoint,
  mergeIntoAggregate,
  ROLLUP_INTERVAL_MS,
  ROLLUP_INTERVALS,
  toFieldAggregate,
  toRollupBucket
} from './rollup.ts';
export type { StoredFieldAggregate, StoredRollupBucket } from './rollup.ts';
export { computeDelta, jsonEqual, mergeShadowDocument, stampMetadata } from './shadow-document.ts';
export { applyShadowChange } from './shadow-update.ts';
export { decodePointCursor, decodeRollupCursor, encodePointCursor, encodeRollupCursor } from './cursor.ts';
export type { PointPosition } from './cursor.ts';
export { checkPageLimit, checkTimeRange, MAX_PAGE_LIMIT } from './query-bounds.ts';
export { openEmbeddedStores } from './embedded/embedded-stores.ts';
export type { EmbeddedStores } from './embedded/embedded-stores.ts';
export { LmdbTimeSeriesStore } from './embedded/lmdb-time-series-store.ts';
export type { LmdbTimeSeriesStoreOptions } from './embedded/lmdb-time-series-store.ts';
export { LmdbShadowStore } from './embedded/lmdb-shadow-store.ts';
export type { LmdbShadowStoreOptions } from './embedded/lmdb-shadow-store.ts';
