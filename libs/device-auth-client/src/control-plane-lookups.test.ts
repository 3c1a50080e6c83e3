import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneLookups } from './control-plane-lookups.ts';

// A stand-in control plane that records the calls it gets: what is under test is the batching,
// caching and forgetting on this side, not the control plane (its routes have their own tests).
const calls: { path: string; body: { keys?: string[]; devices?: { tenantId: string; deviceId: string }[] } }[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (request.headers.authorization !== 'Bearer internal-token') {
        response.writeHead(401).end();
        return;
      }
      const body = JSON.parse(text);
      calls.push({ path: request.url ?? '', body });
      const answer =
        request.url === '/internal/v1/api-key-principals'
          ? { principals: body.keys.map((key: string) => (key.startsWith('good') ? { keyId: key, tenantId: 'acme', scopes: ['telemetry:read'], tenantSuspended: false } : null)) }
          : { profiles: body.devices.map((device: { tenantId: string; deviceId: string }) => ({ ...device, exists: device.deviceId !== 'ghost', status: 'enabled', deviceType: null, telemetryRetentionDays: null, telemetrySchema: null })) };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ControlPlaneLookups', () => {
  it('coalesces concurrent lookups into one call and answers later ones from cache', async () => {
    calls.length = 0;
    const lookups = new ControlPlaneLookups({ controlPlaneUrl: url, internalToken: 'internal-token' });
    const devices = await Promise.all(['d-1', 'd-2', 'ghost', 'd-1'].map((id) => lookups.deviceProfile('acme', id)));
    expect(devices.map((device) => device.exists)).toEqual([true, true, false, true]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body.devices).toHaveLength(3);
    await lookups.deviceProfile('acme', 'd-2');
    expect(calls).toHaveLength(1);
    expect(lookups.stats.cacheHits).toBe(1);
  });

  it('chunks a large batch to what the endpoint takes', async () => {
    calls.length = 0;
    const lookups = new ControlPlaneLookups({ controlPlaneUrl: url, internalToken: 'internal-token' });
    await Promise.all(Array.from({ length: 2500 }, (_, index) => lookups.deviceProfile('acme', `d-${index}`)));
    expect(calls.map((call) => call.body.devices?.length).sort()).toEqual([1000, 1000, 500]);
  });

  it('forgets what a revocation affects', async () => {
    calls.length = 0;
    const lookups = new ControlPlaneLookups({ controlPlaneUrl: url, internalToken: 'internal-token' });
    const [good, bad] = await Promise.all([lookups.apiKeyPrincipal('good-1'), lookups.apiKeyPrincipal('bad')]);
    expect(good).toMatchObject({ tenantId: 'acme' });
    expect(bad).toBeNull();
    await lookups.deviceProfile('acme', 'd-1');
    lookups.revoke({ kind: 'api-key', tenantId: 'acme', keyId: 'good-1', reason: 'api-key-revoked' });
    lookups.revoke({ kind: 'device', tenantId: 'acme', deviceId: 'd-1', reason: 'device-deleted' });
    await lookups.apiKeyPrincipal('good-1');
    await lookups.deviceProfile('acme', 'd-1');
    await lookups.apiKeyPrincipal('bad');
    expect(calls.map((call) => call.path)).toEqual([
      '/internal/v1/api-key-principals',
      '/internal/v1/device-profiles',
      '/internal/v1/api-key-principals',
      '/internal/v1/device-profiles'
    ]);
  });

  it('fails with PLX_DEVICE_AUTH_UNAVAILABLE when the control plane refuses', async () => {
    const lookups = new ControlPlaneLookups({ controlPlaneUrl: url, internalToken: 'wrong' });
    await expect(lookups.apiKeyPrincipal('good-2')).rejects.toMatchObject({ code: 'PLX_DEVICE_AUTH_UNAVAILABLE' });
  });
});
