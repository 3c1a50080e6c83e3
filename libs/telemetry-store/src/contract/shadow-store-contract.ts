import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowStore } from '../shadow-store.ts';

const T0 = Date.UTC(2030, 0, 1);

function newTenant(): string {
  return `tenant-${randomUUID()}`;
}

/** Every behaviour of the ShadowStore port; each test uses its own tenant. */
export function shadowStoreContract(name: string, makeStore: () => Promise<ShadowStore> | ShadowStore): void {
  describe(`ShadowStore contract: ${name}`, () => {
    let store: ShadowStore;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('has no shadow for a device never updated; the first update creates version 1', async () => {
      const tenant = newTenant();
      expect(await store.get(tenant, 'd1')).toBeNull();
      const created = await store.update(tenant, 'd1', { desired: { led: 'on', fan: { speed: 2 } } }, T0);
      const expected = {
        tenantId: tenant,
        deviceId: 'd1',
        desired: { led: 'on', fan: { speed: 2 } },
        reported: {},
        delta: { led: 'on', fan: { speed: 2 } },
        metadata: { desired: { led: { timestamp: T0 }, fan: { speed: { timestamp: T0 } } }, reported: {} },
        version: 1,
        updatedAt: T0
      };
      expect(created).toEqual(expected);
      expect(await store.get(tenant, 'd1')).toEqual(expected);
    });

    it('merges updates as JSON merge patches: nested objects merge, null deletes, arrays replace', async () => {
      const tenant = newTenant();
      await store.update(tenant, 'd1', { reported: { fw: '1.0', sensors: { a: 1, b: 2 }, list: [1, 2, 3] } }, T0);
      const updated = await store.update(tenant, 'd1', { reported: { fw: null, sensors: { b: null, c: 3 }, list: [9] } }, T0 + 1);
      expect(updated.reported).toEqual({ sensors: { a: 1, c: 3 }, list: [9] });
      expect(updated.version).toBe(2);
      expect(updated.metadata.reported).toEqual({ sensors: { a: { timestamp: T0 }, c: { timestamp: T0 + 1 } }, list: { timestamp: T0 + 1 } });
    });

    it('computes the delta: what desired asks for that reported lacks, down to nested leaves', async () => {
      const tenant = newTenant();
      await store.update(tenant, 'd1', { reported: { led: 'off', fan: { speed: 2, mode: 'auto' }, uptime: 10 } }, T0);
      const withDesired = await store.update(tenant, 'd1', { desired: { led: 'on', fan: { speed: 2, mode: 'eco' }, color: [1, 2] } }, T0 + 1);
      expect(withDesired.delta).toEqual({ led: 'on', fan: { mode: 'eco' }, color: [1, 2] });
      const reportedBack = await store.update(tenant, 'd1', { reported: { led: 'on', fan: { mode: 'eco' }, color: [1, 2] } }, T0 + 2);
      expect(reportedBack.delta).toEqual({});
      expect((await store.get(tenant, 'd1'))?.delta).toEqual({});
    });

    it('stamps metadata per changed leaf and keeps the stamp of a leaf set to the value it had', async () => {
      const tenant = newTenant();
      await store.update(tenant, 'd1', { reported: { temp: 20, mode: 'a' } }, T0);
      const updated = await store.update(tenant, 'd1', { reported: { temp: 21, mode: 'a' } }, T0 + 5);
      expect(updated.metadata.reported).toEqual({ temp: { timestamp: T0 + 5 }, mode: { timestamp: T0 } });
      expect(updated.updatedAt).toBe(T0 + 5);
    });

    it('rejects an update at the wrong version with PLX_SHADOW_VERSION_CONFLICT and changes nothing', async () => {
      const tenant = newTenant();
      const before = await store.update(tenant, 'd1', { desired: { a: 1 } }, T0);
      await expect(store.update(tenant, 'd1', { desired: { a: 2 } }, T0 + 1, 7)).rejects.toMatchObject({ code: 'PLX_SHADOW_VERSION_CONFLICT', statusCode: 409 });
      expect(await store.get(tenant, 'd1')).toEqual(before);
      const accepted = await store.update(tenant, 'd1', { desired: { a: 2 } }, T0 + 2, 1);
      expect(accepted.version).toBe(2);
    });

    it('treats a missing shadow as version 0', async () => {
      const tenant = newTenant();
      expect((await store.update(tenant, 'd1', { desired: { a: 1 } }, T0, 0)).version).toBe(1);
      await expect(store.update(tenant, 'd1', { desired: { a: 2 } }, T0, 0)).rejects.toMatchObject({ code: 'PLX_SHADOW_VERSION_CONFLICT' });
    });

    it('keeps the version when an update changes nothing (a replayed report)', async () => {
      const tenant = newTenant();
      const first = await store.update(tenant, 'd1', { reported: { temp: 20, nested: { x: 1 } } }, T0);
      const replay = await store.update(tenant, 'd1', { reported: { temp: 20, nested: { x: 1 } } }, T0 + 10);
      expect(replay).toEqual(first);
      expect(await store.update(tenant, 'd1', { reported: { gone: null } }, T0 + 11)).toEqual(first);
      expect(await store.update(tenant, 'd1', {}, T0 + 12, 1)).toEqual(first);
      expect(await store.get(tenant, 'd1')).toEqual(first);
    });

    it('lets exactly one of many concurrent updates at the same expected version win', async () => {
      const tenant = newTenant();
      const base = await store.update(tenant, 'd1', { desired: { n: 0 } }, T0);
      const attempts = await Promise.allSettled(
        Array.from({ length: 12 }, (_unused, index) => store.update(tenant, 'd1', { desired: { n: index + 1 } }, T0 + 1, base.version))
      );
      const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
      const lost = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((attempt) => (attempt.reason as { code?: string }).code)).toEqual(Array(11).fill('PLX_SHADOW_VERSION_CONFLICT'));
      const final = await store.get(tenant, 'd1');
      expect(final?.version).toBe(2);
      expect(final).toEqual((won[0] as PromiseFulfilledResult<unknown>).value);
    });

    it('applies concurrent updates without a version one after another, losing none', async () => {
      const tenant = newTenant();
      await Promise.all(Array.from({ length: 10 }, (_unused, index) => store.update(tenant, 'd1', { reported: { [`k${index}`]: index } }, T0 + index)));
      const shadow = await store.get(tenant, 'd1');
      expect(shadow?.version).toBe(10);
      expect(Object.keys(shadow?.reported ?? {}).sort()).toEqual(Array.from({ length: 10 }, (_unused, index) => `k${index}`).sort());
    });

    it('deletes a shadow; the next update starts again at version 1; tenants are apart', async () => {
      const tenant = newTenant();
      const other = newTenant();
      await store.update(tenant, 'd1', { desired: { a: 1 } }, T0);
      await store.update(tenant, 'd1', { desired: { a: 2 } }, T0 + 1);
      await store.update(other, 'd1', { desired: { b: 1 } }, T0);
      await store.delete(tenant, 'd1');
      expect(await store.get(tenant, 'd1')).toBeNull();
      expect((await store.get(other, 'd1'))?.desired).toEqual({ b: 1 });
      await store.delete(tenant, 'never-existed');
      const recreated = await store.update(tenant, 'd1', { reported: { c: 1 } }, T0 + 2);
      expect(recreated.version).toBe(1);
      expect(recreated.desired).toEqual({});
    });
  });
}
