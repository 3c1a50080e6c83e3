import { defineError } from '@plexus/errors';

export const ConfigErrors = {
  invalid: defineError<[string]>('PLX_CONFIG_INVALID', 500, 'invalid configuration: %s')
} as const;
