export { MAX_KEPT_BYTES, MongoDeadLetterStore, type DeadLetter, type DeadLetterStore } from './dead-letters.ts';
export { IngestErrors } from './errors.ts';
export { ShadowService, shadowDocument, type DeviceMessenger } from './shadow-service.ts';
export { telemetryPointOf, TelemetryIngestor, type DeviceDirectory, type IngestCounters, type TelemetryIngestorOptions } from './telemetry-ingestor.ts';
export { TelemetrySchemas } from './telemetry-schemas.ts';
