export { ConnectAuthenticator, type ConnectAuthenticatorOptions, type ConnectAuthenticatorStats } from './connect-authenticator.ts';
export { subscribeToRevocations } from './revocation-subscription.ts';
export { DeviceSightingsReporter, type DeviceSightingsReporterOptions } from './device-sightings-reporter.ts';
export { DeviceAuthClientErrors } from './errors.ts';
