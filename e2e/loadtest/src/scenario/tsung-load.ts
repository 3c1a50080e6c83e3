import type { ArrivalPhase } from '../contracts/scenario.ts';
import { scenarioErrors, where } from './errors.ts';
import type { TsungImportLog } from './tsung-import-log.ts';
import type { XmlElement } from './tsung-xml.ts';

// Tsung's <load>: arrival phases of users started at a rate (`arrivalrate` per unit, or one every
// `interarrival` units), optionally capped by `maxnumber`, onto the scenario's ArrivalPhases.

const UNIT_MS: Readonly<Record<string, number>> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000 };

export interface TsungLoad {
  phases: ArrivalPhase[];
  /** Users the phases start, which is the fleet the run provisions. */
  devices: number;
  /** `<load duration>`: Tsung stops the test then, as the load suite does at maxDuration. */
  maxDurationMs: number | undefined;
}

function invalid(element: XmlElement, source: string, problem: string): never {
  throw scenarioErrors.invalid(source, element.path, problem, where(source, element.path));
}

function numberAttribute(element: XmlElement, attribute: string, source: string): number | undefined {
  const raw = element.attributes[attribute];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) invalid(element, source, `${attribute}="${raw}" must be a number ≥ 0`);
  return value;
}

function unitMs(element: XmlElement, source: string, fallback: string | undefined): number {
  const unit = element.attributes['unit'] ?? fallback;
  const ms = unit === undefined ? undefined : UNIT_MS[unit];
  if (ms === undefined) invalid(element, source, `unit="${unit ?? ''}" must be one of ${Object.keys(UNIT_MS).join(', ')}`);
  return ms;
}

function readUsers(users: XmlElement, source: string): Pick<ArrivalPhase, 'ratePerSec' | 'total'> {
  const perUnitMs = unitMs(users, source, undefined);
  const arrivalRate = numberAttribute(users, 'arrivalrate', source);
  const interarrival = numberAttribute(users, 'interarrival', source);
  const maxNumber = numberAttribute(users, 'maxnumber', source);
  const ratePerSec = arrivalRate !== undefined ? (arrivalRate * 1000) / perUnitMs : interarrival ? 1000 / (interarrival * perUnitMs) : undefined;
  if (ratePerSec === undefined || ratePerSec <= 0) invalid(users, source, 'needs arrivalrate or interarrival above 0');
  return { ratePerSec, ...(maxNumber === undefined ? {} : { total: Math.floor(maxNumber) }) };
}

function readPhase(arrival: XmlElement, source: string, log: TsungImportLog): ArrivalPhase {
  const duration = numberAttribute(arrival, 'duration', source);
  if (!duration) invalid(arrival, source, 'needs a duration above 0');
  const durationMs = Math.round(duration * unitMs(arrival, source, undefined));
  const users = arrival.children.filter((child) => child.name === 'users');
  if (users.length !== 1) invalid(arrival, source, 'needs exactly one <users>');
  for (const child of arrival.children) {
    if (child.name !== 'users') log.unsupported.push(`${child.path}: <${child.name}> is not mapped; every phase runs the one imported session`);
  }
  if (arrival.attributes['wait_all_sessions_end'] === 'true') {
    log.unsupported.push(`${arrival.path}: wait_all_sessions_end is not mapped; the next phase starts on time`);
  }
  return { name: `phase${arrival.attributes['phase'] ?? ''}`, durationMs, ...readUsers(users[0] as XmlElement, source) };
}

/** Users a phase starts: its rate over its duration, capped by maxnumber (arrival-plan.ts at share 1). */
function arrivals(phase: ArrivalPhase): number {
  const byRate = ((phase.ratePerSec ?? 0) * phase.durationMs) / 1000;
  return Math.round(Math.min(byRate, phase.total ?? Infinity));
}

export function readTsungLoad(load: XmlElement, source: string, log: TsungImportLog): TsungLoad {
  const phases: ArrivalPhase[] = [];
  for (const child of load.children) {
    if (child.name === 'arrivalphase') phases.push(readPhase(child, source, log));
    else if (child.name === 'user') log.unsupported.push(`${child.path}: statically started users (<user session start_time>) are not mapped`);
    else log.unsupported.push(`${child.path}: <${child.name}> is not mapped`);
  }
  if (phases.length === 0) invalid(load, source, 'needs at least one <arrivalphase>');
  const loop = Number(load.attributes['loop'] ?? '0');
  if (loop > 0) log.unsupported.push(`${load.path}: loop="${load.attributes['loop']}" is not mapped; the phases run once`);
  const devices = phases.reduce((sum, phase) => sum + arrivals(phase), 0);
  if (devices < 1) invalid(load, source, 'starts no users: its phases are too short for their rates');
  const duration = numberAttribute(load, 'duration', source);
  const maxDurationMs = duration ? Math.round(duration * unitMs(load, source, 'second')) : undefined;
  return { phases, devices, maxDurationMs };
}
