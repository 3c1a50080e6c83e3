import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RevocationEvent } from '@plexus/contracts';
import { freePort } from '@plexus/engines';
import { startControlPlaneProcess, testEngines, uniqueDatabaseName, type ControlPlaneProcess } from '@plexus/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectAuthenticator } from './connect-authenticator.ts';
import { subscribeToRevocations } from './revocation-subscription.ts';

const ADMIN_KEY = `plx_c0ffee01_${'A'.repeat(43)}`;
const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789abcdef';
// `./plexus test` shares one Redis between projects, and the control plane's own tests revoke
// credentials of their devices at the same time: a tenant of our own tells our events apart.
const TENANT = `t${randomBytes(4).toString('hex')}`;

let controlPlane: ControlPlaneProcess;
let subscriber: Redis;
let writerKey = '';
const tokens = new Map<string, string>();

async function rest<T = unknown>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${controlPlane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
}

function nextRevocationOfTenant(authenticator: ConnectAuthenticator, timeoutMs = 20_000): Promise<RevocationEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no revocation for ${TENANT} within ${timeoutMs} ms`)), timeoutMs);
    const stop = authenticator.onRevocation((event) => {
      if (event.tenantId !== TENANT) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

beforeAll(async () => {
  const { mongoUri, redisUrl } = testEngines();
  controlPlane = await startControlPlaneProcess({
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: uniqueDatabaseName('device_auth_client'),
    REDIS_URL: redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN
  });
  subscriber = new Redis(redisUrl);
  await rest('POST', '/v1/tenants', ADMIN_KEY, { id: TENANT, name: 'Acme' });
  writerKey = (await rest<{ key: string }>('POST', `/v1/tenants/${TENANT}/api-keys`, ADMIN_KEY, { name: 'w', scopes: ['registry:write', 'registry:read'] })).json.key;
  for (let i = 0; i < 40; i++) {
    const created = await rest<{ credential: { token: string } }>('POST', '/v1/devices', writerKey, { id: `d-${i}` });
    tokens.set(`d-${i}`, created.json.credential.token);
  }
});

afterAll(async () => {
  subscriber?.disconnect();
  await controlPlane?.stop();
});

const authenticatorFor = (options: Partial<ConstructorParameters<typeof ConnectAuthenticator>[0]> = {}) =>
  new ConnectAuthenticator({ controlPlaneUrl: controlPlane.url, internalToken: INTERNAL_TOKEN, ...options });

describe('ConnectAuthenticator against a real control plane', () => {
  it('answers a connect storm with one batched request, sharing answers between identical CONNECTs', async () => {
    const authenticator = authenticatorFor();
    const storm = [...tokens].flatMap(([deviceId, token]) => [
      authenticator.authenticate({ clientId: deviceId, password: token }),
      authenticator.authenticate({ clientId: deviceId, password: token })
    ]);
    storm.push(authenticator.authenticate({ clientId: 'd-0', password: 'wrong' }));
    const results = await Promise.all(storm);
    expect(results.slice(0, 80).every((result) => result.result === 'allow')).toBe(true);
    expect(results[0]).toMatchObject({ principal: { kind: 'device', tenantId: TENANT, deviceId: 'd-0' } });
    expect(results[80]).toEqual({ result: 'deny', reason: 'bad-credentials' });
    expect(authenticator.stats).toMatchObject({ requestsSent: 1, cachedEntries: 41 });

    await authenticator.authenticate({ clientId: 'd-5', password: tokens.get('d-5') as string });
    expect(authenticator.stats).toMatchObject({ requestsSent: 1, cacheHits: 1 });
  });

  it('tells CONNECTs apart by client certificate, since a registered one decides without a password', async () => {
    const fingerprintOf = (byte: string) => Array.from({ length: 32 }, () => byte).join(':');
    const registered = fingerprintOf('7A');
    expect((await rest('POST', '/v1/devices/d-7/credentials', writerKey, { kind: 'x509', fingerprint: registered })).status).toBe(201);
    const authenticator = authenticatorFor();
    const ask = () =>
      Promise.all([
        authenticator.authenticate({ clientId: 'd-7', password: '', certificateFingerprint: registered }),
        authenticator.authenticate({ clientId: 'd-7', password: '', certificateFingerprint: fingerprintOf('7B') }),
        authenticator.authenticate({ clientId: 'd-7', password: '' })
      ]);
    const expected = [
      { result: 'allow', principal: { kind: 'device', tenantId: TENANT, deviceId: 'd-7' } },
      { result: 'deny', reason: 'bad-credentials' },
      { result: 'deny', reason: 'bad-credentials' }
    ];
    expect(await ask()).toMatchObject(expected);
    expect(await ask()).toMatchObject(expected);
    expect(authenticator.stats).toMatchObject({ requestsSent: 1, cacheHits: 3, cachedEntries: 3 });
  });

  it('splits batches at maxBatch', async () => {
    const authenticator = authenticatorFor({ maxBatch: 10 });
    await Promise.all([...tokens].slice(0, 35).map(([clientId, password]) => authenticator.authenticate({ clientId, password })));
    expect(authenticator.stats.requestsSent).toBe(4);
  });

  it('forgets a credential the moment the control plane revokes it', async () => {
    const authenticator = authenticatorFor();
    const stop = await subscribeToRevocations(subscriber, authenticator);
    try {
      const request = { clientId: 'd-7', password: tokens.get('d-7') as string };
      expect(await authenticator.authenticate(request)).toMatchObject({ result: 'allow' });
      const credentials = await rest<{ items: { id: string }[] }>('GET', '/v1/devices/d-7/credentials', writerKey);
      const revoked = nextRevocationOfTenant(authenticator);
      expect((await rest('DELETE', `/v1/devices/d-7/credentials/${credentials.json.items[0]?.id}`, writerKey)).status).toBe(204);
      expect(await revoked).toEqual({ kind: 'device', tenantId: TENANT, deviceId: 'd-7', reason: 'credential-revoked' });
      expect(await authenticator.authenticate(request)).toEqual({ result: 'deny', reason: 'bad-credentials' });
      expect(authenticator.stats.requestsSent).toBe(2);
    } finally {
      await stop();
    }
  });

  it('fails CONNECTs with a catalog error when the control plane is unreachable, and caches nothing', async () => {
    const authenticator = new ConnectAuthenticator({ controlPlaneUrl: `http://127.0.0.1:${await freePort()}`, internalToken: INTERNAL_TOKEN });
    await expect(authenticator.authenticate({ clientId: 'd-1', password: 'x' })).rejects.toMatchObject({ code: 'PLX_DEVICE_AUTH_UNAVAILABLE' });
    expect(authenticator.stats.cachedEntries).toBe(0);
    const wrongToken = authenticatorFor({ internalToken: 'not-the-internal-token-0123456789abcdef' });
    await expect(wrongToken.authenticate({ clientId: 'd-1', password: 'x' })).rejects.toMatchObject({ code: 'PLX_DEVICE_AUTH_UNAVAILABLE' });
  });
});
