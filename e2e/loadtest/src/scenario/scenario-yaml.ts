import { parseDocument } from 'yaml';
import type { ArrivalPhase, Scenario, Thresholds } from '../contracts/scenario.ts';
import { defaultMaxDurationMs } from './estimate-duration.ts';
import { substituteEnv } from './env-substitution.ts';
import { scenarioErrors, where } from './errors.ts';
import { nameFromSource } from './scenario-name.ts';
import { THRESHOLD_DEFAULTS } from './scenario-defaults.ts';
import { validateScenario } from './validate-scenario.ts';
import { readSteps } from './yaml-session.ts';
import {
  child,
  optional,
  readDurationMs,
  readFraction,
  readInteger,
  readList,
  readMap,
  readPositiveNumber,
  readString,
  required,
  rootField,
  type Field
} from './yaml-fields.ts';

// The YAML authoring syntax (see scenarios/*.yaml): durations as `30s`, settings left out take
// the defaults in scenario-defaults.ts, unknown keys are errors so a typo never passes silently.

const MAX_DEVICES = 10_000_000;

function readPhase(field: Field, index: number): ArrivalPhase {
  readMap(field, ['name', 'duration', 'rate', 'total']);
  const phase: ArrivalPhase = {
    name: optional(child(field, 'name'), readString, `phase${index + 1}`),
    durationMs: readDurationMs(required(child(field, 'duration')), 1)
  };
  const rate = optional(child(field, 'rate'), readPositiveNumber, undefined);
  const total = optional(child(field, 'total'), (value) => readInteger(value, 0), undefined);
  return { ...phase, ...(rate === undefined ? {} : { ratePerSec: rate }), ...(total === undefined ? {} : { total }) };
}

function readThresholds(field: Field): Thresholds {
  readMap(field, ['maxLost', 'maxErrorRatio', 'storeWait']);
  return {
    maxLost: optional(child(field, 'maxLost'), (value) => readInteger(value, 0), THRESHOLD_DEFAULTS.maxLost),
    maxErrorRatio: optional(child(field, 'maxErrorRatio'), readFraction, THRESHOLD_DEFAULTS.maxErrorRatio),
    storeWaitMs: optional(child(field, 'storeWait'), readDurationMs, THRESHOLD_DEFAULTS.storeWaitMs)
  };
}

function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true });
  const [error] = document.errors;
  if (error) throw scenarioErrors.yamlSyntax(source, error.message, where(source, error.linePos ? `line ${error.linePos[0].line}` : ''));
  return document.toJS();
}

export function parseScenarioYaml(text: string, source: string, env: Readonly<Record<string, string | undefined>> = process.env): Scenario {
  const root = readMap(rootField(source, parseYaml(substituteEnv(text, source, env), source)), [
    'name',
    'description',
    'devices',
    'phases',
    'session',
    'thresholds',
    'maxDuration'
  ]);
  const planned = {
    name: optional(child(root, 'name'), readString, nameFromSource(source)),
    description: optional(child(root, 'description'), (value) => readString(value, true), ''),
    devices: readInteger(required(child(root, 'devices')), 1, MAX_DEVICES),
    phases: readList(child(root, 'phases')).map(readPhase),
    session: readSteps(child(root, 'session')),
    thresholds: optional(child(root, 'thresholds'), readThresholds, THRESHOLD_DEFAULTS)
  };
  const maxDurationMs = optional(child(root, 'maxDuration'), (value) => readDurationMs(value, 1), defaultMaxDurationMs(planned));
  return validateScenario({ ...planned, maxDurationMs }, source);
}
