import type { Scenario, SessionStep } from '../contracts/scenario.ts';
import { arrivalOffsets } from './arrival-plan.ts';

/** A session's planned time: its think and stay times (thinks at their mean), loops multiplied out. */
export function sessionDurationMs(steps: readonly SessionStep[]): number {
  let total = 0;
  for (const step of steps) {
    if (step.kind === 'think') total += step.meanMs;
    else if (step.kind === 'stay') total += step.durationMs ?? 0;
    else if (step.kind === 'loop') total += step.count * sessionDurationMs(step.steps);
  }
  return total;
}

/** When the last device starts, in ms after the run's start (the fleet as one agent's share). */
export function arrivalsEndMs(scenario: Pick<Scenario, 'phases' | 'devices'>): number {
  const offsets = arrivalOffsets(scenario.phases, 1, scenario.devices);
  return offsets.length === 0 ? 0 : (offsets[offsets.length - 1] as number);
}

/**
 * How long a run should take if the platform keeps up: the last arrival plus one session.
 * Network round trips are not counted, so this is a floor for ETAs, not a promise.
 */
export function estimateDurationMs(scenario: Pick<Scenario, 'phases' | 'devices' | 'session'>): number {
  return Math.ceil(arrivalsEndMs(scenario) + sessionDurationMs(scenario.session));
}

// A run's clock starts with the first phase (the fleet is provisioned before). Beyond the
// estimate it gets half again for connects and acks that lag under load, and two minutes for the
// last sessions to wind down.
const SLOWDOWN_ALLOWANCE = 1.5;
const WIND_DOWN_MS = 120_000;

/** The maxDuration a scenario gets when it does not set one. */
export function defaultMaxDurationMs(scenario: Pick<Scenario, 'phases' | 'devices' | 'session'>): number {
  return Math.ceil(estimateDurationMs(scenario) * SLOWDOWN_ALLOWANCE) + WIND_DOWN_MS;
}
