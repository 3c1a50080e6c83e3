export { ConnectAuthenticator, type ConnectAuthenticatorOptions, type ConnectAuthenticatorStats } from './connect-authenticator.ts';
export { subscribeToRevocations, type RevocationListener } from './revocation-subscription.ts';
export { DeviceSightingsReporter, type DeviceSightingsReporterOptions } from './device-sightings-reporter.ts';
export { DeviceAuthClientErrors } from './errors.ts';
export { BatchedLookup, type BatchedLookupOptions, type FetchBatch } from './batched-lookup.ts';
export { ControlPlaneLookups, type ControlPlaneLookupsOptions } from './control-plane-lookups.ts';
