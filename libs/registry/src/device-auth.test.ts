import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from './api-keys.ts';
import { authenticateConnections } from './device-auth.ts';
import { createDevice, patchDevice } from './devices.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createSigningKey, revokeSigningKey } from './signing-keys.ts';
import { createTenant, setTenantSuspended } from './tenants.ts';

let t: RegistryTestContext;
let tokenA = '';
let tokenB = '';
beforeAll(async () => {
  t = await openRegistryTestContext('device_auth');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createTenant(t.ctx, { id: 'rival', name: 'Rival' });
  tokenA = (await createDevice(t.ctx, 'acme', { id: 'a-1', type: undefined })).credential.token;
  tokenB = (await createDevice(t.ctx, 'rival', { id: 'a-1' })).credential.token;
});
afterAll(() => t.close());

describe('authenticateConnections', () => {
  it('answers a batch in order, reading shared records once', async () => {
    const results = await authenticateConnections(t.ctx, [
      { clientId: 'a-1', password: tokenA },
      { clientId: 'a-1', password: tokenB },
      { clientId: 'a-2', password: tokenA },
      { clientId: 'a-1', password: tokenA.slice(0, -1) + (tokenA.endsWith('A') ? 'B' : 'A') },
      { clientId: 'a-1', password: 'plain password' }
    ]);
    expect(results.map((result) => result.result)).toEqual(['allow', 'allow', 'deny', 'deny', 'deny']);
    expect(results[0]).toMatchObject({ principal: { kind: 'device', tenantId: 'acme', deviceId: 'a-1', expiresAt: null } });
    expect(results[1]).toMatchObject({ principal: { tenantId: 'rival', deviceId: 'a-1' } });
    expect(results[2]).toEqual({ result: 'deny', reason: 'bad-credentials' });
  });

  it('denies disabled devices and suspended tenants with their reasons', async () => {
    const { credential } = await createDevice(t.ctx, 'acme', { id: 'a-off' });
    await patchDevice(t.ctx, 'acme', 'a-off', { status: 'disabled' });
    expect(await authenticateConnections(t.ctx, [{ clientId: 'a-off', password: credential.token }])).toEqual([
      { result: 'deny', reason: 'device-disabled' }
    ]);
    await createTenant(t.ctx, { id: 'frozen', name: 'Frozen' });
    const frozen = await createDevice(t.ctx, 'frozen', { id: 'f-1' });
    await setTenantSuspended(t.ctx, 'frozen', true);
    expect(await authenticateConnections(t.ctx, [{ clientId: 'f-1', password: frozen.credential.token }])).toEqual([
      { result: 'deny', reason: 'tenant-suspended' }
    ]);
  });

  it('accepts app keys with mqtt:subscribe only', async () => {
    const app = await createApiKey(t.ctx, 'acme', { name: 'dashboard', scopes: ['mqtt:subscribe'] });
    const other = await createApiKey(t.ctx, 'acme', { name: 'ci', scopes: ['registry:read'] });
    const results = await authenticateConnections(t.ctx, [
      { clientId: 'dash-1', password: app.key },
      { clientId: 'ci-1', password: other.key }
    ]);
    expect(results[0]).toEqual({ result: 'allow', principal: { kind: 'app', tenantId: 'acme', keyId: app.id, scopes: ['mqtt:subscribe'] } });
    expect(results[1]).toEqual({ result: 'deny', reason: 'not-authorized' });
  });

  it('accepts short-lived EdDSA JWTs signed with a registered tenant key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const signingKey = await createSigningKey(t.ctx, 'acme', {
      name: 'factory',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
    });
    const sign = (subject: string, expiresIn: string, kid = signingKey.id) =>
      new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid }).setSubject(subject).setIssuedAt().setExpirationTime(expiresIn).sign(privateKey);

    const results = await authenticateConnections(t.ctx, [
      { clientId: 'a-1', password: await sign('a-1', '1h') },
      { clientId: 'a-1', password: await sign('someone-else', '1h') },
      { clientId: 'a-1', password: await sign('a-1', '30d') },
      { clientId: 'a-1', password: await sign('a-1', '1h', 'sk_0000000000000000') }
    ]);
    expect(results[0]).toMatchObject({ result: 'allow', principal: { tenantId: 'acme', deviceId: 'a-1', expiresAt: expect.any(Number) } });
    expect(results.slice(1).map((result) => result.result)).toEqual(['deny', 'deny', 'deny']);

    await revokeSigningKey(t.ctx, 'acme', signingKey.id);
    expect(await authenticateConnections(t.ctx, [{ clientId: 'a-1', password: await sign('a-1', '1h') }])).toEqual([
      { result: 'deny', reason: 'bad-credentials' }
    ]);
    await expect(createSigningKey(t.ctx, 'acme', { name: 'bad', publicKeyPem: 'not a key' })).rejects.toMatchObject({
      code: 'PLX_REGISTRY_INVALID_PUBLIC_KEY'
    });
  });
});
