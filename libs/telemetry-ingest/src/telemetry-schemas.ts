import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const MAX_COMPILED = 1000;

/**
 * Device types' telemetry JSON Schemas, compiled once each (by their text) and reused for every
 * message: compiling costs milliseconds, checking microseconds.
 */
export class TelemetrySchemas {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Null when the value matches, else the first problem, e.g. `/celsius must be number`. */
  check(schema: Record<string, unknown>, value: unknown): string | null {
    const text = JSON.stringify(schema);
    let validate = this.compiled.get(text);
    if (!validate) {
      if (this.compiled.size >= MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value as string);
      validate = this.ajv.compile(schema);
      this.compiled.set(text, validate);
    }
    if (validate(value)) return null;
    const issue = validate.errors?.[0];
    return issue ? `${issue.instancePath || '/'} ${issue.message ?? 'is invalid'}` : 'does not match';
  }
}
