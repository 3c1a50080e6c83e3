import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { REVOCATION_CHANNEL, type RevocationEvent } from '@plexus/contracts';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import type { RegistryContext } from './context.ts';
import { ensureRegistryIndexes, registryCollections } from './documents.ts';
import { redisRevocationPublisher } from './revocations.ts';

export interface RegistryTestContext {
  ctx: RegistryContext;
  /** Revocation events seen on the real Redis channel, in order. */
  revocations: RevocationEvent[];
  waitForRevocation(predicate: (event: RevocationEvent) => boolean, timeoutMs?: number): Promise<RevocationEvent>;
  close(): Promise<void>;
}

/** A registry on its own database of the run's engines, with a live subscriber on the revocation channel. */
export async function openRegistryTestContext(name: string): Promise<RegistryTestContext> {
  const { mongoUri, redisUrl } = testEngines();
  const client = await MongoClient.connect(mongoUri);
  const db = client.db(uniqueDatabaseName(name));
  const collections = registryCollections(db);
  await ensureRegistryIndexes(db, collections);
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const revocations: RevocationEvent[] = [];
  const listeners = new Set<() => void>();
  await subscriber.subscribe(REVOCATION_CHANNEL);
  subscriber.on('message', (_channel: string, message: string) => {
    revocations.push(JSON.parse(message) as RevocationEvent);
    for (const listener of listeners) listener();
  });
  return {
    ctx: { collections, revocations: redisRevocationPublisher(publisher), now: () => new Date() },
    revocations,
    waitForRevocation(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const event = revocations.find(predicate);
          if (!event) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(event);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching revocation event within ${timeoutMs} ms; saw ${JSON.stringify(revocations)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async close() {
      await db.dropDatabase();
      await client.close();
      publisher.disconnect();
      subscriber.disconnect();
    }
  };
}
