import { formatDuration, parseDurationMs } from './duration.ts';
import { scenarioErrors, where } from './errors.ts';

// Readers for the plain values a YAML scenario parses into. Each carries the file and the
// path it was read at (`session[2].loop.steps[0].publish.qos`), so every error names both.

export interface Field {
  readonly source: string;
  readonly path: string;
  readonly value: unknown;
}

export function rootField(source: string, value: unknown): Field {
  return { source, path: '', value };
}

export function child(parent: Field, key: string): Field {
  const value = isMap(parent.value) ? parent.value[key] : undefined;
  return { source: parent.source, path: parent.path ? `${parent.path}.${key}` : key, value };
}

export function element(parent: Field, index: number): Field {
  const value = Array.isArray(parent.value) ? (parent.value[index] as unknown) : undefined;
  return { source: parent.source, path: `${parent.path}[${index}]`, value };
}

/** YAML's `key:` with nothing after it parses to null; both mean "not given". */
export function isAbsent(field: Field): boolean {
  return field.value === undefined || field.value === null;
}

export function fail(field: Field, problem: string): never {
  throw scenarioErrors.invalid(field.source, field.path || 'the file', problem, where(field.source, field.path));
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A map whose keys are all in `known`; an absent one reads as empty, so `disconnect:` works. */
export function readMap(field: Field, known: readonly string[]): Field {
  if (isAbsent(field)) return { ...field, value: {} };
  if (!isMap(field.value)) fail(field, 'must be a map');
  for (const key of Object.keys(field.value)) {
    if (known.includes(key)) continue;
    const path = child(field, key).path;
    throw scenarioErrors.unknownKey(field.source, path, known.join(', ') || 'none', where(field.source, path));
  }
  return field;
}

export function readList(field: Field): Field[] {
  if (!Array.isArray(field.value)) fail(field, isAbsent(field) ? 'must be set' : 'must be a list');
  if (field.value.length === 0) fail(field, 'must not be empty');
  return field.value.map((_, index) => element(field, index));
}

export function required(field: Field): Field {
  if (isAbsent(field)) fail(field, 'must be set');
  return field;
}

/** `read(field)`, or `fallback` when the field is not given. */
export function optional<T>(field: Field, read: (field: Field) => T, fallback: T): T {
  return isAbsent(field) ? fallback : read(field);
}

// `1_000_000` reads as a string in YAML 1.2; fleets are big enough that authors will write it.
const GROUPED_DIGITS = /^\d{1,3}(?:_\d{3})+$/;

export function readInteger(field: Field, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = typeof field.value === 'string' && GROUPED_DIGITS.test(field.value) ? Number(field.value.replaceAll('_', '')) : field.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    fail(field, maximum === Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${minimum}` : `must be an integer from ${minimum} to ${maximum}`);
  }
  return value;
}

export function readPositiveNumber(field: Field): number {
  if (typeof field.value !== 'number' || !Number.isFinite(field.value) || field.value <= 0) fail(field, 'must be a number > 0');
  return field.value;
}

export function readFraction(field: Field): number {
  if (typeof field.value !== 'number' || field.value < 0 || field.value > 1) fail(field, 'must be a number from 0 to 1');
  return field.value;
}

export function readBoolean(field: Field): boolean {
  if (typeof field.value !== 'boolean') fail(field, 'must be true or false');
  return field.value;
}

export function readString(field: Field, allowEmpty = false): string {
  if (typeof field.value !== 'string' || (!allowEmpty && field.value === '')) fail(field, allowEmpty ? 'must be a string' : 'must be a non-empty string');
  return field.value;
}

export function readChoice<T extends string | number>(field: Field, choices: readonly T[]): T {
  const choice = choices.find((candidate) => candidate === field.value);
  if (choice === undefined) fail(field, `must be ${choices.slice(0, -1).join(', ')}${choices.length > 1 ? ' or ' : ''}${choices.at(-1)}`);
  return choice;
}

export function readDurationMs(field: Field, minimumMs = 0): number {
  const ms = parseDurationMs(field.value);
  if (ms === undefined) fail(field, 'must be a duration such as 250ms, 30s, 5m or 1h (a bare number is ms)');
  if (ms < minimumMs) fail(field, `must be at least ${formatDuration(minimumMs)}`);
  return ms;
}

/** MQTT counts keepalive and session expiry in whole seconds. */
export function readWholeSeconds(field: Field, maximumSec: number): number {
  const ms = readDurationMs(field);
  if (ms % 1000 !== 0) fail(field, `must be whole seconds, such as 60s (a bare number is ms: ${ms} ms)`);
  if (ms / 1000 > maximumSec) fail(field, `must be at most ${maximumSec}s`);
  return ms / 1000;
}
