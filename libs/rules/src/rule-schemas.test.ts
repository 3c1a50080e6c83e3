import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { ListAlertsQuery, RuleCreate, RuleUpdate } from '@plexus/contracts';

const create = Compile(RuleCreate);
const valid = { id: 'overheat', devices: { all: true }, condition: { threshold: { field: 'temp', operator: '>', value: 30 } } };

function firstErrorPath(value: unknown): string | undefined {
  return [...create.Errors(value)][0]?.instancePath;
}

describe('rule schemas', () => {
  it('accept each condition and device selector', () => {
    expect(create.Check(valid)).toBe(true);
    for (const condition of [
      { threshold: { field: 'temp', operator: '<=', value: -5, window: { seconds: 60, aggregate: 'avg' } } },
      { rateOfChange: { field: 'level', per: 60, operator: '>', value: 10 } },
      { absence: { seconds: 300 } }
    ]) {
      expect(create.Check({ ...valid, condition })).toBe(true);
    }
    for (const devices of [{ deviceId: 'd-1' }, { deviceIds: ['d-1', 'd-2'] }]) expect(create.Check({ ...valid, devices })).toBe(true);
    expect(create.Check({ ...valid, webhook: { url: 'https://example.test/hook', secret: 's'.repeat(16) }, stream: null, cooldownSeconds: 60 })).toBe(true);
  });

  it('name the field at fault, not a union branch', () => {
    expect(firstErrorPath({ ...valid, condition: { absence: {} } })).toBe('/condition/absence');
    expect(firstErrorPath({ ...valid, condition: { absence: { seconds: 0 } } })).toBe('/condition/absence/seconds');
    expect(firstErrorPath({ ...valid, condition: { threshold: { field: 'temp', operator: '=>', value: 1 } } })).toBe('/condition/threshold/operator');
    expect(firstErrorPath({ ...valid, devices: { deviceIds: ['a/b'] } })).toBe('/devices/deviceIds/0');
  });

  it('take exactly one condition and one selector', () => {
    expect(create.Check({ ...valid, condition: {} })).toBe(false);
    expect(create.Check({ ...valid, condition: { ...valid.condition, absence: { seconds: 5 } } })).toBe(false);
    expect(create.Check({ ...valid, devices: { all: true, deviceId: 'd-1' } })).toBe(false);
    expect(create.Check({ ...valid, devices: { all: false } })).toBe(false);
  });

  it('reject a window on anything but a threshold, unknown properties and non-http webhooks', () => {
    expect(create.Check({ ...valid, condition: { absence: { seconds: 5, window: { seconds: 5, aggregate: 'avg' } } } })).toBe(false);
    expect(create.Check({ ...valid, colour: 'red' })).toBe(false);
    expect(create.Check({ ...valid, webhook: { url: 'ftp://example.test/x' } })).toBe(false);
    expect(create.Check({ ...valid, webhook: { url: 'https://example.test', secret: 'short' } })).toBe(false);
  });

  it('need at least one field to update, and let webhook be removed', () => {
    const update = Compile(RuleUpdate);
    expect(update.Check({})).toBe(false);
    expect(update.Check({ webhook: null })).toBe(true);
    expect(update.Check({ enabled: false })).toBe(true);
  });

  it('list alerts by state, rule, device and time', () => {
    const query = Compile(ListAlertsQuery);
    expect(query.Check({ state: 'open', ruleId: 'overheat', deviceId: 'd-1', from: '2026-01-01T00:00:00Z', limit: 10 })).toBe(true);
    expect(query.Check({ state: 'closed' })).toBe(false);
  });
});
