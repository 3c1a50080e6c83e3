import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { MetricsRegistry } from '@plexus/observability';
import { ensureBootstrapAdminKey, ensureRegistryIndexes, formatApiKey, randomSecrets, redisRevocationPublisher, registryCollections } from '@plexus/registry';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import { buildControlPlane } from './app.ts';

export interface TestControlPlane {
  app: FastifyInstance;
  adminKey: string;
  internalToken: string;
  /** Creates a tenant and an API key of it with the given scopes. */
  tenantWithKey(tenantId: string, scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The real app on its own database of the run's engines, without a listening socket. */
export async function openTestControlPlane(name: string, options: { bodyLimit?: number } = {}): Promise<TestControlPlane> {
  const { mongoUri, redisUrl } = testEngines();
  const mongo = await MongoClient.connect(mongoUri);
  const db = mongo.db(uniqueDatabaseName(name));
  const redis = new Redis(redisUrl);
  const collections = registryCollections(db);
  await ensureRegistryIndexes(db, collections);
  const registry = { collections, revocations: redisRevocationPublisher(redis), now: () => new Date() };
  const adminKey = formatApiKey('ad000001', randomSecrets(1)[0] as string);
  await ensureBootstrapAdminKey(registry, adminKey);
  const internalToken = randomSecrets(1)[0] as string;
  const app = await buildControlPlane({
    registry,
    readiness: { mongodb: async () => void (await db.command({ ping: 1 })) },
    metricsRegistry: new MetricsRegistry(),
    internalToken,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    logger: false
  });
  const auth = { authorization: `Bearer ${adminKey}` };
  return {
    app,
    adminKey,
    internalToken,
    async tenantWithKey(tenantId, scopes) {
      await app.inject({ method: 'POST', url: '/v1/tenants', headers: auth, payload: { id: tenantId, name: tenantId } });
      const response = await app.inject({
        method: 'POST',
        url: `/v1/tenants/${tenantId}/api-keys`,
        headers: auth,
        payload: { name: 'test', scopes }
      });
      return (response.json() as { key: string }).key;
    },
    async close() {
      await app.close();
      await db.dropDatabase();
      await mongo.close();
      redis.disconnect();
    }
  };
}
