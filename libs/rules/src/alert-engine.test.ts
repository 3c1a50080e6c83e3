import { describe, expect, it } from 'vitest';
import type { AlertEvent, RuleCreate } from '@plexus/contracts';
import { AlertEngine, type EvaluatedPoint, type RuleSource } from './alert-engine.ts';
import { newStoredRule, type StoredRule } from './stored-rule.ts';

const T0 = Date.UTC(2026, 0, 1);

class StaticRules implements RuleSource {
  rules: StoredRule[];
  constructor(rules: StoredRule[]) {
    this.rules = rules;
  }
  rulesOf(tenantId: string): readonly StoredRule[] {
    return this.rules.filter((rule) => rule.tenantId === tenantId && rule.enabled);
  }
  allRules(): Iterable<StoredRule> {
    return this.rules.filter((rule) => rule.enabled);
  }
}

function rule(body: Partial<RuleCreate> & Pick<RuleCreate, 'condition'>, tenantId = 'acme'): StoredRule {
  return newStoredRule(tenantId, { id: 'r1', devices: { all: true }, ...body }, new Date(T0));
}

function point(seconds: number, fields: Record<string, number>, deviceId = 'd-1', extra: Partial<EvaluatedPoint> = {}): EvaluatedPoint {
  return { tenantId: 'acme', deviceId, at: T0 + seconds * 1000, stream: null, fields, ...extra };
}

function engineWith(...rules: StoredRule[]): { engine: AlertEngine; source: StaticRules } {
  const source = new StaticRules(rules);
  return { engine: new AlertEngine({ rules: source, startedAt: T0 }), source };
}

function summary(events: AlertEvent[]): string[] {
  return events.map((event) => `${event.kind} ${event.alert.deviceId} ${event.alert.ruleId} @${(Date.parse(event.kind === 'opened' ? event.alert.openedAt : (event.alert.resolvedAt as string)) - T0) / 1000}`);
}

describe('threshold', () => {
  const hot = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });

  it('opens when the value crosses and resolves when it falls back, with both times and values', () => {
    const { engine } = engineWith(hot);
    const events = engine.evaluate([point(1, { temp: 20 }), point(2, { temp: 31 }), point(3, { temp: 35 }), point(4, { temp: 25 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @2', 'resolved d-1 r1 @4']);
    const resolved = events[1]?.alert;
    expect(resolved).toMatchObject({ state: 'resolved', openValue: 31, resolvedValue: 25, severity: 'warning', condition: 'threshold', message: 'temp = 31 > 30' });
    expect(resolved?.id).toBe(events[0]?.alert.id);
  });

  it('gives the same alert ids for the same points (a replay records nothing new)', () => {
    const points = [point(1, { temp: 40 }), point(2, { temp: 10 })];
    const first = engineWith(hot).engine.evaluate(points);
    const again = engineWith(hot).engine.evaluate(points);
    expect(again).toEqual(first);
  });

  it('keeps devices apart and ignores points without the field, of other streams and other tenants', () => {
    const streamed = rule({ id: 'r2', stream: 'env', condition: { threshold: { field: 'temp', operator: '>=', value: 30 } } });
    const { engine } = engineWith(hot, streamed);
    const events = engine.evaluate([
      point(1, { temp: 31 }, 'd-1'),
      point(1, { humidity: 99 }, 'd-2'),
      point(2, { temp: 30 }, 'd-2', { stream: 'env' }),
      point(3, { temp: 99 }, 'd-3', { tenantId: 'other' })
    ]);
    expect(summary(events)).toEqual(['opened d-1 r1 @1', 'opened d-2 r2 @2']);
  });

  it('selects listed devices only', () => {
    const one = rule({ devices: { deviceId: 'd-2' }, condition: { threshold: { field: 't', operator: '==', value: 1 } } });
    const some = rule({ id: 'r2', devices: { deviceIds: ['d-1', 'd-3'] }, condition: { threshold: { field: 't', operator: '!=', value: 0 } } });
    const { engine } = engineWith(one, some);
    const events = engine.evaluate([point(1, { t: 1 }, 'd-1'), point(1, { t: 1 }, 'd-2'), point(1, { t: 1 }, 'd-3')]);
    expect(summary(events)).toEqual(['opened d-1 r2 @1', 'opened d-2 r1 @1', 'opened d-3 r2 @1']);
  });

  it('ignores a point older than one already counted', () => {
    const { engine } = engineWith(hot);
    expect(summary(engine.evaluate([point(5, { temp: 40 }), point(4, { temp: 10 })]))).toEqual(['opened d-1 r1 @5']);
  });

  it('holds back a new opening during the cooldown, and opens after it if the condition still holds', () => {
    const calm = rule({ cooldownSeconds: 60, condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });
    const { engine } = engineWith(calm);
    const events = engine.evaluate([point(0, { temp: 40 }), point(10, { temp: 20 }), point(20, { temp: 40 }), point(59, { temp: 41 }), point(60, { temp: 42 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @0', 'resolved d-1 r1 @10', 'opened d-1 r1 @60']);
  });
});

describe('threshold over a window', () => {
  it('compares the window average, which forgets points older than the window', () => {
    const avg = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30, window: { seconds: 10, aggregate: 'avg' } } } });
    const { engine } = engineWith(avg);
    // Averages: 20, 30, 33.3 (opens), then at 14 only 40 and 10 remain: 25 (resolves).
    const events = engine.evaluate([point(0, { temp: 20 }), point(2, { temp: 40 }), point(4, { temp: 40 }), point(13, { temp: 10 }), point(14, { temp: 10 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @4', 'resolved d-1 r1 @13']);
    expect(events[0]?.alert.message).toBe('avg(temp) over 10 s = 33.3333 > 30');
  });

  it('counts points in the window, bounded by the window size', () => {
    const busy = rule({ condition: { threshold: { field: 'v', operator: '>=', value: 3, window: { seconds: 5, aggregate: 'count' } } } });
    const { engine } = engineWith(busy);
    const events = engine.evaluate([point(0, { v: 1 }), point(1, { v: 1 }), point(2, { v: 1 }), point(10, { v: 1 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @2', 'resolved d-1 r1 @10']);
  });

  it('keeps at most maxWindowPoints per window', () => {
    const max = rule({ condition: { threshold: { field: 'v', operator: '>', value: 50, window: { seconds: 60, aggregate: 'max' } } } });
    const engine = new AlertEngine({ rules: new StaticRules([max]), startedAt: T0, maxWindowPoints: 2 });
    const events = engine.evaluate([point(0, { v: 99 }), point(1, { v: 1 }), point(2, { v: 1 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @0', 'resolved d-1 r1 @2']);
  });
});

describe('rate of change', () => {
  it('scales the change between consecutive points to `per` seconds', () => {
    const rising = rule({ condition: { rateOfChange: { field: 'level', per: 60, operator: '>', value: 10 } } });
    const { engine } = engineWith(rising);
    // +5 in 60 s, then +6 in 30 s (12 per minute: opens), then +1 in 60 s (resolves).
    const events = engine.evaluate([point(0, { level: 0 }), point(60, { level: 5 }), point(90, { level: 11 }), point(150, { level: 12 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @90', 'resolved d-1 r1 @150']);
    expect(events[0]?.alert).toMatchObject({ openValue: 12, message: 'level changed 12 per 60 s > 10' });
  });

  it('restarts from the next point when the rule changes', () => {
    const falling = rule({ condition: { rateOfChange: { field: 'level', per: 1, operator: '<', value: -1 } } });
    const { engine, source } = engineWith(falling);
    engine.evaluate([point(0, { level: 100 })]);
    source.rules = [{ ...falling, version: 2 }];
    expect(engine.evaluate([point(1, { level: 0 })])).toEqual([]);
    expect(summary(engine.evaluate([point(2, { level: -5 })]))).toEqual(['opened d-1 r1 @2']);
  });
});

describe('absence', () => {
  const silent = rule({ devices: { deviceIds: ['d-1', 'd-2'] }, condition: { absence: { seconds: 60 } } });

  it('opens for a listed device that sent nothing since start and resolves on its next point', () => {
    const { engine } = engineWith(silent);
    engine.evaluate([point(30, { v: 1 }, 'd-2')]);
    expect(engine.checkAbsence(T0 + 59_000)).toEqual([]);
    expect(summary(engine.checkAbsence(T0 + 60_000))).toEqual(['opened d-1 r1 @60']);
    expect(engine.checkAbsence(T0 + 70_000)).toEqual([]);
    expect(summary(engine.checkAbsence(T0 + 95_000))).toEqual(['opened d-2 r1 @90']);
    const events = engine.evaluate([point(100, { v: 1 }, 'd-1')]);
    expect(summary(events)).toEqual(['resolved d-1 r1 @100']);
    expect(events[0]?.alert).toMatchObject({ condition: 'absence', openValue: 60, resolvedValue: 100, message: 'no data for 60 s' });
  });

  it('counts the silence of a listed device from the last change of its rule when that came after the start', () => {
    const later = { ...silent, devices: { deviceId: 'd-1' }, updatedAt: new Date(T0 + 600_000).toISOString() };
    const { engine } = engineWith(later);
    expect(engine.checkAbsence(T0 + 659_000)).toEqual([]);
    expect(summary(engine.checkAbsence(T0 + 660_000))).toEqual(['opened d-1 r1 @660']);
  });

  it('knows the devices of an all-devices rule from their first point', () => {
    const any = rule({ condition: { absence: { seconds: 10 } } });
    const { engine } = engineWith(any);
    expect(engine.checkAbsence(T0 + 100_000)).toEqual([]);
    engine.evaluate([point(100, { v: 1 }, 'd-9')]);
    expect(summary(engine.checkAbsence(T0 + 111_000))).toEqual(['opened d-9 r1 @110']);
  });

  it('sees a silence between two points even when no periodic pass ran in it (a replay)', () => {
    const any = rule({ condition: { absence: { seconds: 10 } } });
    const { engine } = engineWith(any);
    const events = engine.evaluate([point(0, { v: 1 }), point(5, { v: 1 }), point(30, { v: 1 })]);
    expect(summary(events)).toEqual(['opened d-1 r1 @15', 'resolved d-1 r1 @30']);
  });

  it('counts only points carrying the field when one is named', () => {
    const fieldRule = rule({ condition: { absence: { seconds: 10, field: 'gps.lat' } } });
    const { engine } = engineWith(fieldRule);
    engine.evaluate([point(0, { 'gps.lat': 1 }), point(8, { battery: 3 })]);
    expect(summary(engine.checkAbsence(T0 + 10_000))).toEqual(['opened d-1 r1 @10']);
  });

  it('leaves devices another worker owns alone', () => {
    const source = new StaticRules([silent]);
    const engine = new AlertEngine({ rules: source, startedAt: T0, ownsDevice: (_tenant, deviceId) => deviceId === 'd-2' });
    expect(summary(engine.checkAbsence(T0 + 60_000))).toEqual(['opened d-2 r1 @60']);
  });
});

describe('housekeeping', () => {
  it('resolves open alerts of a rule that was deleted or disabled and forgets its state', () => {
    const hot = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });
    const { engine, source } = engineWith(hot);
    engine.evaluate([point(1, { temp: 40 })]);
    source.rules = [{ ...hot, enabled: false }];
    const events = engine.checkAbsence(T0 + 5000);
    expect(summary(events)).toEqual(['resolved d-1 r1 @5']);
    expect(events[0]?.alert.resolvedValue).toBeNull();
    expect(engine.stats().states).toBe(0);
  });

  it('tracks at most maxStates (rule, device) pairs and counts the rest', () => {
    const hot = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });
    const engine = new AlertEngine({ rules: new StaticRules([hot]), startedAt: T0, maxStates: 2 });
    const events = engine.evaluate([point(1, { temp: 40 }, 'a'), point(1, { temp: 40 }, 'b'), point(1, { temp: 40 }, 'c')]);
    expect(summary(events)).toEqual(['opened a r1 @1', 'opened b r1 @1']);
    expect(engine.stats()).toEqual({ states: 2, untracked: 1 });
  });

  it('forgets closed state of devices idle past idleStateSeconds', () => {
    const hot = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });
    const engine = new AlertEngine({ rules: new StaticRules([hot]), startedAt: T0, idleStateSeconds: 60 });
    engine.evaluate([point(0, { temp: 10 }, 'idle'), point(0, { temp: 40 }, 'open')]);
    engine.checkAbsence(T0 + 61_000);
    expect(engine.stats().states).toBe(1);
  });

  it('resolves an alert a previous run left open instead of opening a second one', () => {
    const hot = rule({ condition: { threshold: { field: 'temp', operator: '>', value: 30 } } });
    const before = engineWith(hot).engine.evaluate([point(1, { temp: 40 })]);
    const { engine } = engineWith(hot);
    engine.restoreOpenAlerts(before.map((event) => event.alert));
    const events = engine.evaluate([point(2, { temp: 45 }), point(3, { temp: 10 })]);
    expect(summary(events)).toEqual(['resolved d-1 r1 @3']);
    expect(events[0]?.alert.id).toBe(before[0]?.alert.id);
  });
});
