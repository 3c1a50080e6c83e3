import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@plexus/contracts';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import { openedAlert, openedEvent, resolvedAlert, resolvedEvent } from './alert-records.ts';
import { AlertStore } from './alert-store.ts';
import { RulesErrors } from './errors.ts';
import { newStoredRule } from './stored-rule.ts';

const T0 = Date.UTC(2026, 0, 1);

function opening(tenantId: string, ruleId: string, deviceId: string, seconds: number): AlertEvent {
  const rule = newStoredRule(tenantId, { id: ruleId, devices: { all: true }, condition: { absence: { seconds: 60 } } }, new Date(T0));
  return openedEvent(openedAlert({ rule, kind: 'absence', deviceId, at: T0 + seconds * 1000, value: 60, message: 'no data for 60 s' }));
}

function resolution(opened: AlertEvent, seconds: number): AlertEvent {
  return resolvedEvent(resolvedAlert(opened.alert, T0 + seconds * 1000, seconds));
}

describe('AlertStore on the Mongo-wire engine', () => {
  let client: MongoClient;
  let db: Db;
  let store: AlertStore;

  beforeAll(async () => {
    client = await MongoClient.connect(testEngines().mongoUri);
    db = client.db(uniqueDatabaseName('rules_alerts'));
    store = new AlertStore(db);
    await store.ensureIndexes();
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('records both transitions on one alert, each once', async () => {
    const opened = opening('acme', 'quiet', 'd-1', 60);
    const resolved = resolution(opened, 90);
    expect(await store.record([opened])).toEqual([opened]);
    expect(await store.get('acme', opened.alert.id)).toEqual(opened.alert);
    expect(await store.record([opened, resolved])).toEqual([resolved]);
    expect(await store.get('acme', opened.alert.id)).toEqual(resolved.alert);
    expect(await store.record([opened, resolved])).toEqual([]);
  });

  it('stores a resolution whose opening was never stored', async () => {
    const resolved = resolution(opening('acme', 'quiet', 'd-2', 60), 70);
    expect(await store.record([resolved])).toEqual([resolved]);
    expect((await store.get('acme', resolved.alert.id)).state).toBe('resolved');
    await expect(store.get('other', resolved.alert.id)).rejects.toSatisfy(RulesErrors.alertNotFound.is);
  });

  it('lists newest first, filters by state, rule, device and time, and pages', async () => {
    const events = [
      opening('list', 'a', 'd-1', 10),
      opening('list', 'b', 'd-1', 20),
      opening('list', 'a', 'd-2', 30),
      opening('list', 'a', 'd-1', 40),
      opening('list-2', 'a', 'd-1', 25)
    ];
    await store.record([...events, resolution(events[1] as AlertEvent, 50)]);
    const ids = async (query: Parameters<AlertStore['list']>[1]) => (await store.list('list', query)).items.map((alert) => (Date.parse(alert.openedAt) - T0) / 1000);
    expect(await ids({ limit: 10 })).toEqual([40, 30, 20, 10]);
    expect(await ids({ limit: 10, state: 'resolved' })).toEqual([20]);
    expect(await ids({ limit: 10, ruleId: 'a', deviceId: 'd-1' })).toEqual([40, 10]);
    expect(await ids({ limit: 10, from: new Date(T0 + 20_000).toISOString(), to: new Date(T0 + 40_000).toISOString() })).toEqual([30, 20]);

    const first = await store.list('list', { limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await store.list('list', { limit: 3, cursor: first.nextCursor ?? '' });
    expect(second.items.map((alert) => alert.openedAt)).toEqual([new Date(T0 + 10_000).toISOString()]);
    expect(second.nextCursor).toBeNull();
    await expect(store.list('list', { limit: 3, from: new Date(T0 + 1).toISOString(), to: new Date(T0).toISOString() })).rejects.toSatisfy(
      RulesErrors.invalidTimeRange.is
    );
  });

  it('finds the alerts left open for the engine to take back', async () => {
    const open = await store.openAlerts();
    expect(open.every((alert) => alert.state === 'open')).toBe(true);
    expect(open.map((alert) => alert.tenantId)).toContain('list-2');
  });
});
