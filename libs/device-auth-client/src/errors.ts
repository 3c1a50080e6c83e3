import { defineError } from '@plexus/errors';

export const DeviceAuthClientErrors = {
  unavailable: defineError<[string]>('PLX_DEVICE_AUTH_UNAVAILABLE', 503, 'the control plane could not authenticate: %s')
} as const;
