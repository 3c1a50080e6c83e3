import { Redis } from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleCreate } from '@plexus/contracts';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import { RulesErrors } from './errors.ts';
import { RuleCache, type RuleReader } from './rule-cache.ts';
import { RedisRuleChanges } from './rule-changes.ts';
import { RuleStore } from './rule-store.ts';
import { newStoredRule, toRuleView } from './stored-rule.ts';

const hot: RuleCreate = { id: 'hot', devices: { all: true }, condition: { threshold: { field: 'temp', operator: '>', value: 30 } } };

describe('RuleStore on the Mongo-wire engine', () => {
  let client: MongoClient;
  let db: Db;
  let store: RuleStore;

  beforeAll(async () => {
    client = await MongoClient.connect(testEngines().mongoUri);
    db = client.db(uniqueDatabaseName('rules_store'));
    store = new RuleStore({ db, maxRulesPerTenant: 3 });
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('creates a rule with defaults, reads it back and refuses the same id twice', async () => {
    const created = await store.create('acme', { ...hot, webhook: { url: 'https://example.test/hook', secret: 'x'.repeat(20) } });
    expect(created).toMatchObject({ id: 'hot', tenantId: 'acme', name: 'hot', enabled: true, severity: 'warning', cooldownSeconds: 0, version: 1 });
    expect(await store.get('acme', 'hot')).toEqual(created);
    expect(toRuleView(created).webhook).toEqual({ url: 'https://example.test/hook', signed: true });
    await expect(store.create('acme', hot)).rejects.toSatisfy(RulesErrors.ruleExists.is);
  });

  it('keeps tenants apart', async () => {
    await store.create('beta', hot);
    await expect(store.get('acme-2', 'hot')).rejects.toSatisfy(RulesErrors.ruleNotFound.is);
    expect((await store.listTenantRules('beta')).map((rule) => rule.tenantId)).toEqual(['beta']);
  });

  it('updates given fields, moves the version on, and removes the webhook with null', async () => {
    await store.create('gamma', { ...hot, webhook: { url: 'https://example.test/hook' } });
    const updated = await store.update('gamma', 'hot', { enabled: false, webhook: null, condition: { absence: { seconds: 60 } } });
    expect(updated).toMatchObject({ enabled: false, webhook: null, condition: { absence: { seconds: 60 } }, version: 2, devices: { all: true } });
    expect(await store.get('gamma', 'hot')).toEqual(updated);
    await expect(store.update('gamma', 'missing', { enabled: true })).rejects.toSatisfy(RulesErrors.ruleNotFound.is);
  });

  it('pages through a tenant in id order and bounds rules per tenant', async () => {
    for (const id of ['c', 'a', 'b']) await store.create('paged', { ...hot, id });
    await expect(store.create('paged', { ...hot, id: 'd' })).rejects.toSatisfy(RulesErrors.tooManyRules.is);
    const first = await store.list('paged', { limit: 2 });
    expect(first.items.map((rule) => rule.id)).toEqual(['a', 'b']);
    const second = await store.list('paged', { limit: 2, cursor: first.nextCursor ?? '' });
    expect(second).toMatchObject({ items: [{ id: 'c' }], nextCursor: null });
    await expect(store.list('paged', { limit: 2, cursor: 'nonsense' })).rejects.toSatisfy(RulesErrors.invalidCursor.is);
  });

  it('deletes', async () => {
    await store.create('delta', hot);
    await store.remove('delta', 'hot');
    await expect(store.remove('delta', 'hot')).rejects.toSatisfy(RulesErrors.ruleNotFound.is);
  });
});

describe('RuleCache', () => {
  let client: MongoClient;
  let db: Db;
  let publisher: Redis;
  let subscriber: Redis;

  beforeAll(async () => {
    client = await MongoClient.connect(testEngines().mongoUri);
    db = client.db(uniqueDatabaseName('rules_cache'));
    publisher = new Redis(testEngines().redisUrl);
    subscriber = new Redis(testEngines().redisUrl);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
    publisher.disconnect();
    subscriber.disconnect();
  });

  it('holds enabled rules and follows writes made through another store by notification', async () => {
    const writer = new RuleStore({ db, changes: new RedisRuleChanges(publisher) });
    await writer.create('acme', hot);
    await writer.create('acme', { ...hot, id: 'off', enabled: false });
    const cache = new RuleCache({ reader: new RuleStore({ db }) });
    await cache.refresh();
    expect(cache.rulesOf('acme').map((rule) => rule.id)).toEqual(['hot']);

    const reloaded: string[] = [];
    const changed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no change notification within 5 s')), 5000);
      void RedisRuleChanges.subscribe(subscriber, (tenantId) => {
        void cache.reloadTenant(tenantId).then(() => {
          reloaded.push(tenantId);
          if (cache.rulesOf('acme').some((rule) => rule.id === 'off')) {
            clearTimeout(timer);
            resolve();
          }
        }, reject);
      }).then(() => writer.update('acme', 'off', { enabled: true }));
    });
    await changed;
    expect(reloaded).toContain('acme');
    expect([...cache.allRules()].map((rule) => rule.id).sort()).toEqual(['hot', 'off']);
  });
});

describe('RuleCache during a full reload', () => {
  it('keeps a tenant reloaded meanwhile rather than the older full read', async () => {
    const before = newStoredRule('acme', hot, new Date(0));
    const after = { ...before, version: 2, enabled: false };
    let releaseFullRead: () => void = () => undefined;
    const reader: RuleReader = {
      listAllRules: () => new Promise((resolve) => (releaseFullRead = () => resolve([before]))),
      listTenantRules: async () => [after]
    };
    const cache = new RuleCache({ reader });
    const refreshed = cache.refresh();
    await cache.reloadTenant('acme');
    releaseFullRead();
    await refreshed;
    expect(cache.rulesOf('acme')).toEqual([]);
  });
});
