import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredential, listCredentials, MAX_LIVE_CREDENTIALS, revokeCredential, rotateCredentials } from './credentials.ts';
import { createDeviceType, deleteDeviceType, getDeviceType, listDeviceTypes, patchDeviceType } from './device-types.ts';
import { createDevice, deleteDevice, getDevice, listDevices, patchDevice } from './devices.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('devices');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createTenant(t.ctx, { id: 'other', name: 'Other' });
});
afterAll(() => t.close());

describe('device types', () => {
  it('validates telemetry schemas and guards types in use', async () => {
    await expect(
      createDeviceType(t.ctx, 'acme', { name: 'bad', telemetrySchema: { type: 'no-such-type' } })
    ).rejects.toMatchObject({ code: 'PLX_REGISTRY_INVALID_TELEMETRY_SCHEMA' });
    const created = await createDeviceType(t.ctx, 'acme', {
      name: 'thermo',
      description: 'Thermometer',
      telemetrySchema: { type: 'object', properties: { temp: { type: 'number' } } }
    });
    expect(created).toMatchObject({ name: 'thermo', description: 'Thermometer' });
    await expect(createDeviceType(t.ctx, 'acme', { name: 'thermo' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_TYPE_EXISTS' });
    expect((await patchDeviceType(t.ctx, 'acme', 'thermo', { description: 'v2' })).description).toBe('v2');
    expect((await listDeviceTypes(t.ctx, 'acme')).map((type) => type.name)).toEqual(['thermo']);
    expect(await listDeviceTypes(t.ctx, 'other')).toEqual([]);

    await createDevice(t.ctx, 'acme', { id: 'uses-thermo', type: 'thermo' });
    await expect(deleteDeviceType(t.ctx, 'acme', 'thermo')).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_TYPE_IN_USE' });
    await deleteDevice(t.ctx, 'acme', 'uses-thermo');
    await deleteDeviceType(t.ctx, 'acme', 'thermo');
    await expect(getDeviceType(t.ctx, 'acme', 'thermo')).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_TYPE_NOT_FOUND' });
  });
});

describe('devices', () => {
  it('creates a device with its first token and keeps ids per tenant', async () => {
    const created = await createDevice(t.ctx, 'acme', { id: 'dev-1', tags: ['eu'], attributes: { floor: 3 } });
    expect(created.device).toMatchObject({ id: 'dev-1', name: 'dev-1', status: 'enabled', tags: ['eu'], attributes: { floor: 3 } });
    expect(created.credential.token).toMatch(/^pdt_acme_/);
    await expect(createDevice(t.ctx, 'acme', { id: 'dev-1' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_EXISTS' });
    await createDevice(t.ctx, 'other', { id: 'dev-1' });
    await expect(createDevice(t.ctx, 'acme', { id: 'x', type: 'ghost' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_UNKNOWN_DEVICE_TYPE' });
    await expect(getDevice(t.ctx, 'acme', 'ghost')).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_NOT_FOUND' });
  });

  it('patches, disables (announcing it) and deletes', async () => {
    await createDevice(t.ctx, 'acme', { id: 'dev-2' });
    const patched = await patchDevice(t.ctx, 'acme', 'dev-2', { name: 'Boiler', status: 'disabled' });
    expect(patched).toMatchObject({ name: 'Boiler', status: 'disabled' });
    await t.waitForRevocation((event) => event.kind === 'device' && event.deviceId === 'dev-2' && event.reason === 'device-disabled');
    await deleteDevice(t.ctx, 'acme', 'dev-2');
    await t.waitForRevocation((event) => event.kind === 'device' && event.deviceId === 'dev-2' && event.reason === 'device-deleted');
    await expect(deleteDevice(t.ctx, 'acme', 'dev-2')).rejects.toMatchObject({ code: 'PLX_REGISTRY_DEVICE_NOT_FOUND' });
  });

  it('pages through a tenant with filters and never leaks another tenant', async () => {
    await createDeviceType(t.ctx, 'acme', { name: 'meter' });
    for (let i = 0; i < 25; i++) {
      await createDevice(t.ctx, 'acme', {
        id: `page-${String(i).padStart(2, '0')}`,
        type: i % 2 === 0 ? 'meter' : undefined,
        tags: i % 5 === 0 ? ['roof', 'eu'] : ['eu'],
        status: i === 3 ? 'disabled' : 'enabled'
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listDevices(t.ctx, 'acme', {}, { limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((device) => device.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith('page-'))).toEqual(Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`));
    expect(new Set(seen).size).toBe(seen.length);

    const meters = await listDevices(t.ctx, 'acme', { type: 'meter' }, { limit: 100 });
    expect(meters.items).toHaveLength(13);
    const roof = await listDevices(t.ctx, 'acme', { tags: ['roof', 'eu'] }, { limit: 100 });
    expect(roof.items.map((device) => device.id)).toEqual(['page-00', 'page-05', 'page-10', 'page-15', 'page-20']);
    const disabled = await listDevices(t.ctx, 'acme', { status: 'disabled' }, { limit: 100 });
    expect(disabled.items.map((device) => device.id)).toEqual(['page-03']);
    const otherTenant = await listDevices(t.ctx, 'other', {}, { limit: 100 });
    expect(otherTenant.items.map((device) => device.id)).toEqual(['dev-1']);
    await expect(listDevices(t.ctx, 'acme', {}, { limit: 5, cursor: 'garbage!' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_INVALID_CURSOR' });
  });
});

describe('credentials', () => {
  it('issues, rotates with and without grace, and revokes', async () => {
    const { credential: first } = await createDevice(t.ctx, 'acme', { id: 'cred-1' });
    const second = await issueCredential(t.ctx, 'acme', 'cred-1', 3600);
    expect(second.expiresAt).not.toBeNull();
    expect((await listCredentials(t.ctx, 'acme', 'cred-1')).map((c) => c.id)).toEqual([first.id, second.id]);

    const graceful = await rotateCredentials(t.ctx, 'acme', 'cred-1', { graceSeconds: 600 });
    const afterGrace = await listCredentials(t.ctx, 'acme', 'cred-1');
    expect(afterGrace.map((c) => c.id)).toEqual([first.id, second.id, graceful.id]);
    expect(afterGrace[0]?.expiresAt).not.toBeNull();

    const hard = await rotateCredentials(t.ctx, 'acme', 'cred-1', {});
    expect((await listCredentials(t.ctx, 'acme', 'cred-1')).map((c) => c.id)).toEqual([hard.id]);
    await t.waitForRevocation((event) => event.kind === 'device' && event.deviceId === 'cred-1' && event.reason === 'credential-revoked');

    await revokeCredential(t.ctx, 'acme', 'cred-1', hard.id);
    expect(await listCredentials(t.ctx, 'acme', 'cred-1')).toEqual([]);
    await expect(revokeCredential(t.ctx, 'acme', 'cred-1', hard.id)).rejects.toMatchObject({ code: 'PLX_REGISTRY_CREDENTIAL_NOT_FOUND' });
  });

  it('caps live credentials per device', async () => {
    await createDevice(t.ctx, 'acme', { id: 'cred-cap' });
    for (let i = 1; i < MAX_LIVE_CREDENTIALS; i++) await issueCredential(t.ctx, 'acme', 'cred-cap', undefined);
    await expect(issueCredential(t.ctx, 'acme', 'cred-cap', undefined)).rejects.toMatchObject({ code: 'PLX_REGISTRY_TOO_MANY_CREDENTIALS' });
  });
});
