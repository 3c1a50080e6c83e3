import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSightings } from './device-sightings.ts';
import { createDevice, getDevice } from './devices.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('sightings');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createDevice(t.ctx, 'acme', { id: 's-1' });
  await createDevice(t.ctx, 'acme', { id: 's-2' });
});
afterAll(() => t.close());

describe('recordSightings', () => {
  it('moves lastSeen to the latest sighting and never back', async () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0);
    const recorded = await recordSightings(t.ctx, [
      { tenantId: 'acme', deviceId: 's-1', at },
      { tenantId: 'acme', deviceId: 's-1', at: at + 5000 },
      { tenantId: 'acme', deviceId: 's-2', at },
      { tenantId: 'acme', deviceId: 'ghost', at }
    ]);
    expect(recorded).toBe(2);
    expect((await getDevice(t.ctx, 'acme', 's-1')).lastSeen).toBe(new Date(at + 5000).toISOString());
    expect(await recordSightings(t.ctx, [{ tenantId: 'acme', deviceId: 's-1', at: at - 60_000 }])).toBe(0);
    expect((await getDevice(t.ctx, 'acme', 's-1')).lastSeen).toBe(new Date(at + 5000).toISOString());
  });
});
