import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateConnections } from './device-auth.ts';
import { createDeviceType } from './device-types.ts';
import { createClaimToken, listClaimTokens, registerWithClaimToken, revokeClaimToken } from './provisioning.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('provisioning');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createDeviceType(t.ctx, 'acme', { name: 'sensor' });
});
afterAll(() => t.close());

describe('fleet self-provisioning', () => {
  it('trades a claim token for device credentials, within its use limit', async () => {
    const claim = await createClaimToken(t.ctx, 'acme', { deviceType: 'sensor', tags: ['batch-7'], maxUses: 2, ttlSeconds: 3600 });
    const first = await registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: 'sn-1' });
    expect(first.device).toMatchObject({ id: 'sn-1', type: 'sensor', tags: ['batch-7'] });
    const [auth] = await authenticateConnections(t.ctx, [{ clientId: 'sn-1', password: first.credential.token }]);
    expect(auth).toMatchObject({ result: 'allow', principal: { tenantId: 'acme', deviceId: 'sn-1' } });

    await expect(registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: 'sn-1' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_DEVICE_EXISTS'
    });
    await registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: 'sn-2' });
    await expect(registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: 'sn-3' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID'
    });
    const [listed] = await listClaimTokens(t.ctx, 'acme');
    expect(listed).toMatchObject({ id: claim.id, uses: 2, maxUses: 2 });
  });

  it('never lets concurrent devices exceed the use limit', async () => {
    const claim = await createClaimToken(t.ctx, 'acme', { deviceType: 'sensor', maxUses: 3, ttlSeconds: 3600 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: `race-${i}` }))
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
  });

  it('rejects revoked, expired, forged and unknown claim tokens', async () => {
    const claim = await createClaimToken(t.ctx, 'acme', { deviceType: 'sensor', maxUses: 5, ttlSeconds: 60 });
    await expect(
      registerWithClaimToken(t.ctx, { claimToken: claim.token.slice(0, -4) + 'AAAA', deviceId: 'f-1' })
    ).rejects.toMatchObject({ code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID' });
    await expect(registerWithClaimToken(t.ctx, { claimToken: 'nonsense', deviceId: 'f-1' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID'
    });
    const later = { ...t.ctx, now: () => new Date(Date.now() + 120_000) };
    await expect(registerWithClaimToken(later, { claimToken: claim.token, deviceId: 'f-1' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID'
    });
    await revokeClaimToken(t.ctx, 'acme', claim.id);
    await expect(registerWithClaimToken(t.ctx, { claimToken: claim.token, deviceId: 'f-1' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID'
    });
    await expect(createClaimToken(t.ctx, 'acme', { deviceType: 'ghost', maxUses: 1, ttlSeconds: 60 })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_UNKNOWN_DEVICE_TYPE'
    });
  });
});
