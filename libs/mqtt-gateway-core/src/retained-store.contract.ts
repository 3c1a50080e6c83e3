import { describe, expect, it } from 'vitest';
import type { RetainedMessage, RetainedStore } from './retained-store.ts';

const message = (mountedTopic: string, payload: string, qos: 0 | 1 | 2 = 1): RetainedMessage => ({ mountedTopic, payload: Buffer.from(payload), qos });

const byTopic = (messages: RetainedMessage[]) =>
  messages.map((found) => ({ topic: found.mountedTopic, payload: Buffer.from(found.payload).toString(), qos: found.qos })).sort((a, b) => a.topic.localeCompare(b.topic));

/**
 * The behaviour every RetainedStore adapter must have. `makeStore` returns a store that holds
 * nothing under the tenants the suite uses (each call gets fresh tenant names).
 */
export function retainedStoreContract(name: string, makeStore: () => RetainedStore | Promise<RetainedStore>): void {
  let run = 0;
  const tenant = () => `rt${process.pid}x${Date.now().toString(36)}x${run++}`;

  describe(`RetainedStore contract: ${name}`, () => {
    it('keeps the last message per topic and matches it by filter, wildcards included', async () => {
      const store = await makeStore();
      const t = tenant();
      await store.set(message(`${t}/devices/d-1/status`, 'first'));
      await store.set(message(`${t}/devices/d-1/status`, 'second', 2));
      await store.set(message(`${t}/devices/d-2/status`, 'other', 0));
      await store.set(message(`${t}/devices/d-2/telemetry`, 'not a status'));
      expect(byTopic(await store.match(`${t}/devices/d-1/status`))).toEqual([{ topic: `${t}/devices/d-1/status`, payload: 'second', qos: 2 }]);
      expect(byTopic(await store.match(`${t}/devices/+/status`))).toEqual([
        { topic: `${t}/devices/d-1/status`, payload: 'second', qos: 2 },
        { topic: `${t}/devices/d-2/status`, payload: 'other', qos: 0 }
      ]);
      expect(await store.match(`${t}/#`)).toHaveLength(3);
      expect(await store.match(`${t}/devices/d-3/#`)).toEqual([]);
    });

    it('forgets a deleted topic and ignores deleting one it never held', async () => {
      const store = await makeStore();
      const t = tenant();
      await store.set(message(`${t}/devices/d-1/status`, 'on'));
      await store.delete(`${t}/devices/d-1/status`);
      await store.delete(`${t}/devices/d-9/status`);
      expect(await store.match(`${t}/#`)).toEqual([]);
    });

    it('never matches another tenant\'s topics', async () => {
      const store = await makeStore();
      const [a, b] = [tenant(), tenant()];
      await store.set(message(`${a}/devices/d-1/status`, 'a'));
      await store.set(message(`${b}/devices/d-1/status`, 'b'));
      expect(byTopic(await store.match(`${a}/#`)).map((found) => found.payload)).toEqual(['a']);
      expect(byTopic(await store.match(`${b}/devices/+/status`)).map((found) => found.payload)).toEqual(['b']);
    });

    it('keeps payload bytes exactly', async () => {
      const store = await makeStore();
      const t = tenant();
      const bytes = Buffer.from([0, 255, 10, 13, 0x80]);
      await store.set({ mountedTopic: `${t}/devices/d-1/blob`, payload: bytes, qos: 1 });
      const [found] = await store.match(`${t}/devices/d-1/blob`);
      expect(Buffer.from(found?.payload ?? []).equals(bytes)).toBe(true);
    });
  });
}
