import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, RuleWebhookInput } from '@plexus/contracts';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import { AlertDispatcher, type WebhookQueue } from './alert-dispatcher.ts';
import { AlertEngine, type RuleSource } from './alert-engine.ts';
import { alertTopic, encodeAlertEvent, type AlertPublisher } from './alert-publisher.ts';
import { AlertStore } from './alert-store.ts';
import { newStoredRule, type StoredRule } from './stored-rule.ts';

const T0 = Date.UTC(2026, 0, 1);

/** The app's MQTT side as this package sees it: topic and payload of each publish, or a failure. */
class RecordingPublisher implements AlertPublisher {
  readonly published: { topic: string; payload: string }[] = [];
  failWith: Error | null = null;
  async publish(event: AlertEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push({ topic: alertTopic(event), payload: encodeAlertEvent(event).toString() });
  }
}

class RecordingWebhooks implements WebhookQueue {
  readonly queued: { url: string; kind: string }[] = [];
  async enqueue(webhook: RuleWebhookInput, event: AlertEvent): Promise<boolean> {
    this.queued.push({ url: webhook.url, kind: event.kind });
    return true;
  }
}

describe('AlertDispatcher', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(testEngines().mongoUri);
    db = client.db(uniqueDatabaseName('rules_dispatch'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const hooked = newStoredRule(
    'acme',
    { id: 'hot', devices: { all: true }, webhook: { url: 'https://example.test/hook' }, condition: { threshold: { field: 't', operator: '>', value: 30 } } },
    new Date(T0)
  );
  const plain = newStoredRule('acme', { id: 'cold', devices: { all: true }, condition: { threshold: { field: 't', operator: '<', value: 0 } } }, new Date(T0));
  const rules: RuleSource = { rulesOf: () => [hooked, plain], allRules: (): StoredRule[] => [hooked, plain] };
  const points = [
    { tenantId: 'acme', deviceId: 'd-1', at: T0 + 1000, stream: null, fields: { t: 40 } },
    { tenantId: 'acme', deviceId: 'd-1', at: T0 + 2000, stream: null, fields: { t: -5 } }
  ];

  it('stores, publishes on alerts/{ruleId}/{deviceId} and queues webhooks; a replay delivers nothing again', async () => {
    const publisher = new RecordingPublisher();
    const webhooks = new RecordingWebhooks();
    const dispatcher = new AlertDispatcher({ alerts: new AlertStore(db), rules, publisher, webhooks, onPublishFailure: () => undefined });
    const events = new AlertEngine({ rules, startedAt: T0 }).evaluate(points);
    expect(events.map((event) => `${event.kind} ${event.alert.ruleId}`)).toEqual(['opened hot', 'resolved hot', 'opened cold']);

    expect(await dispatcher.dispatch(events)).toEqual({ recorded: 3, webhooksQueued: 2 });
    expect(publisher.published.map((message) => message.topic)).toEqual(['alerts/hot/d-1', 'alerts/hot/d-1', 'alerts/cold/d-1']);
    expect(JSON.parse(publisher.published[1]?.payload ?? '')).toMatchObject({ kind: 'resolved', alert: { state: 'resolved', ruleId: 'hot' } });
    expect(webhooks.queued).toEqual([
      { url: 'https://example.test/hook', kind: 'opened' },
      { url: 'https://example.test/hook', kind: 'resolved' }
    ]);

    const replayed = new AlertEngine({ rules, startedAt: T0 }).evaluate(points);
    expect(await dispatcher.dispatch(replayed)).toEqual({ recorded: 0, webhooksQueued: 0 });
    expect(publisher.published).toHaveLength(3);
  });

  it('keeps the alert stored when the MQTT publish fails, and reports the failure', async () => {
    const publisher = new RecordingPublisher();
    publisher.failWith = new Error('no gateway node');
    const failures: string[] = [];
    const store = new AlertStore(db);
    const dispatcher = new AlertDispatcher({
      alerts: store,
      rules,
      publisher,
      webhooks: null,
      onPublishFailure: (event, error) => failures.push(`${event.alert.deviceId}: ${(error as Error).message}`)
    });
    const events = new AlertEngine({ rules, startedAt: T0 }).evaluate([{ ...points[0]!, deviceId: 'd-2' }]);
    expect(await dispatcher.dispatch(events)).toEqual({ recorded: 1, webhooksQueued: 0 });
    expect(failures).toEqual(['d-2: no gateway node']);
    expect((await store.get('acme', events[0]!.alert.id)).state).toBe('open');
  });
});
