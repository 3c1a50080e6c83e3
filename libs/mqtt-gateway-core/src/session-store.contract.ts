import { describe, expect, it } from 'vitest';
import type { QueuedMessage, SessionStore, StoredSession } from './session-store.ts';

const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
  expirySeconds: 3600,
  subscriptions: [{ mountedFilter: 'acme/devices/d-1/commands', qos: 1, noLocal: false, retainAsPublished: false }],
  awaitingRelease: [],
  ...overrides
});

const queued = (payload: string, overrides: Partial<QueuedMessage> = {}): QueuedMessage => ({
  topic: 'devices/d-1/commands',
  payload: Buffer.from(payload),
  qos: 1,
  retain: false,
  subscriptionIdentifiers: [],
  ...overrides
});

const payloads = (messages: readonly QueuedMessage[]) => messages.map((message) => Buffer.from(message.payload).toString());

/**
 * The behaviour every SessionStore adapter must have. `makeStore` returns a store; the suite uses
 * fresh tenant names on every test, so the store need not be empty.
 */
export function sessionStoreContract(name: string, makeStore: () => SessionStore | Promise<SessionStore>): void {
  let run = 0;
  const tenant = () => `st${process.pid}x${Date.now().toString(36)}x${run++}`;

  describe(`SessionStore contract: ${name}`, () => {
    it('loads what was saved, and null for a session never saved', async () => {
      const store = await makeStore();
      const t = tenant();
      expect(await store.load(t, 'd-1')).toBeNull();
      const saved = session({
        subscriptions: [
          { mountedFilter: `${t}/devices/d-1/commands`, qos: 2, noLocal: true, retainAsPublished: true, subscriptionIdentifier: 7 },
          { mountedFilter: `$share/g/${t}/devices/+/telemetry`, qos: 0, noLocal: false, retainAsPublished: false }
        ],
        awaitingRelease: [3, 65_535]
      });
      await store.save(t, 'd-1', saved);
      expect(await store.load(t, 'd-1')).toEqual(saved);
      expect(await store.load(t, 'd-2')).toBeNull();
      await store.save(t, 'd-1', session({ expirySeconds: 5, subscriptions: [] }));
      expect(await store.load(t, 'd-1')).toEqual(session({ expirySeconds: 5, subscriptions: [] }));
    });

    it('keys sessions by tenant and client id', async () => {
      const store = await makeStore();
      const [a, b] = [tenant(), tenant()];
      await store.save(a, 'd-1', session({ expirySeconds: 1 }));
      await store.save(b, 'd-1', session({ expirySeconds: 2 }));
      expect((await store.load(a, 'd-1'))?.expirySeconds).toBe(1);
      expect((await store.load(b, 'd-1'))?.expirySeconds).toBe(2);
    });

    it('queues messages in order, keeps every field, and empties the queue when it is taken', async () => {
      const store = await makeStore();
      const t = tenant();
      await store.save(t, 'd-1', session());
      const inflight = queued('sent before', { qos: 2, retain: true, subscriptionIdentifiers: [1, 9], packetId: 42, released: true });
      expect(await store.enqueue(t, 'd-1', inflight, 10)).toBe(0);
      expect(await store.enqueue(t, 'd-1', queued('a'), 10)).toBe(0);
      expect(await store.enqueue(t, 'd-1', queued('b'), 10)).toBe(0);
      const taken = await store.takeQueue(t, 'd-1');
      expect(taken.dropped).toBe(0);
      expect(payloads(taken.messages)).toEqual(['sent before', 'a', 'b']);
      expect(taken.messages[0]).toMatchObject({ topic: 'devices/d-1/commands', qos: 2, retain: true, subscriptionIdentifiers: [1, 9], packetId: 42, released: true });
      expect(taken.messages[1]?.packetId).toBeUndefined();
      expect(await store.takeQueue(t, 'd-1')).toEqual({ messages: [], dropped: 0 });
    });

    it('bounds the queue by dropping the oldest and counts the drops until the queue is taken', async () => {
      const store = await makeStore();
      const t = tenant();
      await store.save(t, 'd-1', session());
      for (const payload of ['1', '2', '3']) expect(await store.enqueue(t, 'd-1', queued(payload), 3)).toBe(0);
      expect(await store.enqueue(t, 'd-1', queued('4'), 3)).toBe(1);
      expect(await store.enqueue(t, 'd-1', queued('5'), 3)).toBe(1);
      const taken = await store.takeQueue(t, 'd-1');
      expect(payloads(taken.messages)).toEqual(['3', '4', '5']);
      expect(taken.dropped).toBe(2);
      expect((await store.takeQueue(t, 'd-1')).dropped).toBe(0);
    });

    it('keeps the queue when the session is saved again', async () => {
      const store = await makeStore();
      const t = tenant();
      await store.save(t, 'd-1', session());
      await store.enqueue(t, 'd-1', queued('kept'), 10);
      await store.save(t, 'd-1', session({ expirySeconds: 60 }));
      expect(payloads((await store.takeQueue(t, 'd-1')).messages)).toEqual(['kept']);
    });

    it('queues nothing for a session that is not saved, and forgets a deleted one with its queue', async () => {
      const store = await makeStore();
      const t = tenant();
      expect(await store.enqueue(t, 'nobody', queued('lost'), 10)).toBe(0);
      expect(await store.takeQueue(t, 'nobody')).toEqual({ messages: [], dropped: 0 });
      await store.save(t, 'd-1', session());
      await store.enqueue(t, 'd-1', queued('gone'), 10);
      await store.delete(t, 'd-1');
      await store.delete(t, 'd-1');
      expect(await store.load(t, 'd-1')).toBeNull();
      expect(await store.enqueue(t, 'd-1', queued('after'), 10)).toBe(0);
      expect(await store.takeQueue(t, 'd-1')).toEqual({ messages: [], dropped: 0 });
    });
  });
}
