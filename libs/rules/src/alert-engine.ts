import type { Alert, AlertEvent } from '@plexus/contracts';
import { formatNumber, openedAlert, openedEvent, resolvedAlert, resolvedEvent, type Opening } from './alert-records.ts';
import { compare, listedDevices, selectsDevice } from './comparison.ts';
import { SlidingWindow } from './sliding-window.ts';
import { activeCondition, type ActiveCondition, type StoredRule } from './stored-rule.ts';

/**
 * What the engine reads of a stored point; `TelemetryPoint` of `@plexus/telemetry-store` is one.
 * Declared here so rules do not depend on the store's package.
 */
export interface EvaluatedPoint {
  readonly tenantId: string;
  readonly deviceId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly stream: string | null;
  readonly fields: Readonly<Record<string, number>>;
}

/** Where the engine reads rules: a synchronous view, refreshed behind its back (RuleCache). */
export interface RuleSource {
  /** The tenant's enabled rules. */
  rulesOf(tenantId: string): readonly StoredRule[];
  /** Every enabled rule of every tenant. */
  allRules(): Iterable<StoredRule>;
}

export interface AlertEngineOptions {
  rules: RuleSource;
  /** Epoch ms the engine started: silence of a listed device that has not sent anything yet counts from here (or from the rule's `updatedAt`, when later). */
  startedAt: number;
  /** (rule, device) pairs tracked at most; pairs past it are not evaluated and are counted in `stats().untracked`. */
  maxStates?: number;
  /** Points a window holds at most per (rule, device). */
  maxWindowPoints?: number;
  /** A closed state whose device sent nothing for this long is forgotten by `checkAbsence` (absence rules excepted). */
  idleStateSeconds?: number;
  /**
   * Whether this process evaluates a device. With several stream workers each owns some shards,
   * so absence of a device is judged only by the worker that reads it; the app answers from
   * its shard leases. Default: every device.
   */
  ownsDevice?: (tenantId: string, deviceId: string) => boolean;
}

interface EvaluationState {
  ruleVersion: number;
  /** Time of the latest point counted; silence is measured from it. */
  lastAt: number;
  lastValue: number | null;
  window: SlidingWindow | null;
  open: Alert | null;
  lastOpenedAt: number | null;
}

export interface AlertEngineStats {
  states: number;
  untracked: number;
}

/**
 * Evaluates rules on telemetry and says which alerts open and resolve. Pure and deterministic:
 * time comes from the points and from `checkAbsence(now)`, and every transition carries the time
 * of the point (or of the silence) that caused it, so replaying the same points yields the same
 * alerts. Points older than the latest one already counted for a (rule, device) are ignored: the
 * stream keeps each device in order, so those are replays.
 */
export class AlertEngine {
  private readonly rules: RuleSource;
  private readonly startedAt: number;
  private readonly maxStates: number;
  private readonly maxWindowPoints: number;
  private readonly idleStateMs: number;
  private readonly ownsDevice: (tenantId: string, deviceId: string) => boolean;
  /** `${tenantId}/${ruleId}` → device id → state. */
  private readonly states = new Map<string, Map<string, EvaluationState>>();
  private stateCount = 0;
  private untracked = 0;

  constructor(options: AlertEngineOptions) {
    this.rules = options.rules;
    this.startedAt = options.startedAt;
    this.maxStates = options.maxStates ?? 1_000_000;
    this.maxWindowPoints = options.maxWindowPoints ?? 1000;
    this.idleStateMs = (options.idleStateSeconds ?? 86_400) * 1000;
    this.ownsDevice = options.ownsDevice ?? (() => true);
  }

  /** Evaluates points (any tenants and devices, each device's points in order). */
  evaluate(points: readonly EvaluatedPoint[]): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const point of points) {
      for (const rule of this.rules.rulesOf(point.tenantId)) {
        if (!selectsDevice(rule.devices, point.deviceId)) continue;
        if (rule.stream !== undefined && rule.stream !== point.stream) continue;
        this.evaluatePoint(rule, activeCondition(rule.condition), point, events);
      }
    }
    return events;
  }

  /**
   * The periodic pass: opens absence alerts for devices silent past their rule's period, resolves
   * open alerts whose rule was deleted or disabled, and forgets idle state and devices this
   * process no longer owns.
   */
  checkAbsence(now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    const live = new Set<string>();
    for (const rule of this.rules.allRules()) {
      const key = ruleKey(rule.tenantId, rule.id);
      live.add(key);
      const condition = activeCondition(rule.condition);
      if (condition.kind === 'absence') {
        // A listed device that has not sent anything is silent since this process started, or
        // since the rule took its current form when that is later.
        const since = Math.max(this.startedAt, Date.parse(rule.updatedAt));
        for (const deviceId of listedDevices(rule.devices)) {
          if (this.ownsDevice(rule.tenantId, deviceId)) this.stateFor(rule, deviceId, since);
        }
      }
      const devices = this.states.get(key);
      if (!devices) continue;
      for (const [deviceId, state] of devices) {
        if (!this.ownsDevice(rule.tenantId, deviceId)) {
          this.forget(key, deviceId);
          continue;
        }
        if (condition.kind === 'absence') {
          const silentFrom = state.lastAt + condition.spec.seconds * 1000;
          if (silentFrom <= now) this.open(state, absenceOpening(rule, deviceId, condition.spec.seconds, silentFrom), events);
        } else if (!state.open && state.lastAt <= now - this.idleStateMs) {
          this.forget(key, deviceId);
        }
      }
    }
    for (const [key, devices] of this.states) {
      if (live.has(key)) continue;
      for (const [deviceId, state] of devices) {
        if (state.open) events.push(resolvedEvent(resolvedAlert(state.open, now, null)));
        this.forget(key, deviceId);
      }
    }
    return events;
  }

  /** Takes back alerts a previous run left open (from the alert store), so they resolve instead of opening twice. */
  restoreOpenAlerts(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      if (alert.state !== 'open') continue;
      const rule = this.rules.rulesOf(alert.tenantId).find((candidate) => candidate.id === alert.ruleId);
      if (!rule) continue;
      const openedAt = Date.parse(alert.openedAt);
      const state = this.stateFor(rule, alert.deviceId, Math.max(openedAt, this.startedAt));
      if (state && !state.open) {
        state.open = alert;
        state.lastOpenedAt = openedAt;
      }
    }
  }

  stats(): AlertEngineStats {
    return { states: this.stateCount, untracked: this.untracked };
  }

  private evaluatePoint(rule: StoredRule, condition: ActiveCondition, point: EvaluatedPoint, events: AlertEvent[]): void {
    const value = condition.spec.field === undefined ? 0 : point.fields[condition.spec.field];
    if (value === undefined) return;
    const state = this.stateFor(rule, point.deviceId, point.at);
    if (!state || point.at < state.lastAt) return;
    const previousAt = state.lastAt;
    state.lastAt = point.at;
    switch (condition.kind) {
      case 'threshold': {
        const { field, operator, window } = condition.spec;
        let measured = value;
        let label = field;
        if (window) {
          state.window ??= new SlidingWindow(window.seconds, this.maxWindowPoints);
          measured = state.window.add(point.at, value, window.aggregate);
          label = `${window.aggregate}(${field}) over ${window.seconds} s`;
        }
        const holds = compare(measured, operator, condition.spec.value);
        const message = `${label} = ${formatNumber(measured)} ${operator} ${formatNumber(condition.spec.value)}`;
        this.settle(state, holds, { rule, kind: 'threshold', deviceId: point.deviceId, at: point.at, value: measured, message }, events);
        return;
      }
      case 'rateOfChange': {
        const { field, per, operator } = condition.spec;
        const lastValue = state.lastValue;
        state.lastValue = value;
        if (lastValue === null || point.at === previousAt) return;
        const rate = ((value - lastValue) / (point.at - previousAt)) * per * 1000;
        const holds = compare(rate, operator, condition.spec.value);
        const message = `${field} changed ${formatNumber(rate)} per ${per} s ${operator} ${formatNumber(condition.spec.value)}`;
        this.settle(state, holds, { rule, kind: 'rateOfChange', deviceId: point.deviceId, at: point.at, value: rate, message }, events);
        return;
      }
      case 'absence': {
        // Silence longer than the period between two points opens (and now resolves) the alert
        // even when no periodic pass ran in between, as in a replay.
        const silentFrom = previousAt + condition.spec.seconds * 1000;
        if (!state.open && silentFrom <= point.at) {
          this.open(state, absenceOpening(rule, point.deviceId, condition.spec.seconds, silentFrom), events);
        }
        this.resolve(state, point.at, (point.at - previousAt) / 1000, events);
        return;
      }
    }
  }

  private settle(state: EvaluationState, holds: boolean, opening: Opening, events: AlertEvent[]): void {
    if (holds) this.open(state, opening, events);
    else this.resolve(state, opening.at, opening.value, events);
  }

  private open(state: EvaluationState, opening: Opening, events: AlertEvent[]): void {
    if (state.open) return;
    const cooldownMs = opening.rule.cooldownSeconds * 1000;
    if (state.lastOpenedAt !== null && opening.at < state.lastOpenedAt + cooldownMs) return;
    state.open = openedAlert(opening);
    state.lastOpenedAt = opening.at;
    events.push(openedEvent(state.open));
  }

  private resolve(state: EvaluationState, at: number, value: number | null, events: AlertEvent[]): void {
    if (!state.open) return;
    events.push(resolvedEvent(resolvedAlert(state.open, at, value)));
    state.open = null;
  }

  /** The (rule, device) state, new from `since` when absent or when the rule changed; null past the bound. */
  private stateFor(rule: StoredRule, deviceId: string, since: number): EvaluationState | null {
    const key = ruleKey(rule.tenantId, rule.id);
    let devices = this.states.get(key);
    const existing = devices?.get(deviceId);
    if (existing) {
      if (existing.ruleVersion !== rule.version) {
        // A changed condition starts from scratch; an open alert stays until the new one says otherwise.
        existing.ruleVersion = rule.version;
        existing.lastValue = null;
        existing.window = null;
      }
      return existing;
    }
    if (this.stateCount >= this.maxStates) {
      this.untracked++;
      return null;
    }
    if (!devices) {
      devices = new Map();
      this.states.set(key, devices);
    }
    const state: EvaluationState = { ruleVersion: rule.version, lastAt: since, lastValue: null, window: null, open: null, lastOpenedAt: null };
    devices.set(deviceId, state);
    this.stateCount++;
    return state;
  }

  private forget(key: string, deviceId: string): void {
    const devices = this.states.get(key);
    if (!devices?.delete(deviceId)) return;
    this.stateCount--;
    if (devices.size === 0) this.states.delete(key);
  }
}

function ruleKey(tenantId: string, ruleId: string): string {
  return `${tenantId}/${ruleId}`;
}

function absenceOpening(rule: StoredRule, deviceId: string, seconds: number, silentFrom: number): Opening {
  return { rule, kind: 'absence', deviceId, at: silentFrom, value: seconds, message: `no data for ${seconds} s` };
}
