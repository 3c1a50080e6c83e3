import { Ajv2020 } from 'ajv/dist/2020.js';
import { RegistryErrors } from './errors.ts';

const ajv = new Ajv2020({ strict: false, allErrors: false });

/** Rejects a device type's telemetry schema now rather than at the first message it should check. */
export function assertValidTelemetrySchema(schema: Record<string, unknown>): void {
  try {
    ajv.compile(schema);
  } catch (error) {
    throw RegistryErrors.invalidTelemetrySchema(error instanceof Error ? error.message : String(error));
  }
}
