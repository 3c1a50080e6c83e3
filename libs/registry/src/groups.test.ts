import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, deleteDevice } from './devices.ts';
import { createDeviceType } from './device-types.ts';
import { changeGroupMembers, createGroup, deleteGroup, getGroup, listGroupDevices, listGroups, patchGroup } from './groups.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('groups');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createDeviceType(t.ctx, 'acme', { name: 'pump' });
  for (let i = 0; i < 6; i++) {
    await createDevice(t.ctx, 'acme', { id: `g-${i}`, type: i < 3 ? 'pump' : undefined, tags: i % 2 === 0 ? ['north'] : ['south'] });
  }
});
afterAll(() => t.close());

async function memberIds(groupId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listGroupDevices(t.ctx, 'acme', groupId, { limit: 2, cursor });
    ids.push(...page.items.map((device) => device.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('groups', () => {
  it('static groups: add, re-add, remove, report unknown devices', async () => {
    await createGroup(t.ctx, 'acme', { id: 'pilot', kind: 'static' });
    await expect(createGroup(t.ctx, 'acme', { id: 'pilot', kind: 'static' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_GROUP_EXISTS' });
    expect(await changeGroupMembers(t.ctx, 'acme', 'pilot', ['g-0', 'g-4', 'ghost'], 'add')).toEqual({
      changed: 2,
      unchanged: 0,
      notFound: ['ghost']
    });
    expect(await changeGroupMembers(t.ctx, 'acme', 'pilot', ['g-0', 'g-5'], 'add')).toEqual({ changed: 1, unchanged: 1, notFound: [] });
    expect(await memberIds('pilot')).toEqual(['g-0', 'g-4', 'g-5']);
    expect(await changeGroupMembers(t.ctx, 'acme', 'pilot', ['g-4'], 'remove')).toEqual({ changed: 1, unchanged: 0, notFound: [] });
    await deleteDevice(t.ctx, 'acme', 'g-5');
    expect(await memberIds('pilot')).toEqual(['g-0']);
  });

  it('dynamic groups follow their query and refuse explicit members', async () => {
    const group = await createGroup(t.ctx, 'acme', { id: 'north-pumps', kind: 'dynamic', query: { type: 'pump', tags: ['north'] } });
    expect(group.query).toEqual({ type: 'pump', tags: ['north'] });
    expect(await memberIds('north-pumps')).toEqual(['g-0', 'g-2']);
    await patchGroup(t.ctx, 'acme', 'north-pumps', { query: { tags: ['south'] } });
    expect(await memberIds('north-pumps')).toEqual(['g-1', 'g-3']);
    await expect(changeGroupMembers(t.ctx, 'acme', 'north-pumps', ['g-1'], 'add')).rejects.toMatchObject({
      code: 'PLX_REGISTRY_GROUP_NOT_STATIC'
    });
    await expect(patchGroup(t.ctx, 'acme', 'pilot', { query: { type: 'pump' } })).rejects.toMatchObject({ code: 'PLX_REGISTRY_GROUP_NOT_DYNAMIC' });
  });

  it('deleting a static group clears its membership', async () => {
    await createGroup(t.ctx, 'acme', { id: 'temp', kind: 'static' });
    await changeGroupMembers(t.ctx, 'acme', 'temp', ['g-1'], 'add');
    await deleteGroup(t.ctx, 'acme', 'temp');
    await expect(getGroup(t.ctx, 'acme', 'temp')).rejects.toMatchObject({ code: 'PLX_REGISTRY_GROUP_NOT_FOUND' });
    const device = await t.ctx.collections.devices.findOne({ _id: 'acme/g-1' });
    expect(device?.groups).toEqual([]);
    expect((await listGroups(t.ctx, 'acme')).map((g) => g.id)).toEqual(['north-pumps', 'pilot']);
  });
});
