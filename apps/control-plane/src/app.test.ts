import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestControlPlane, type TestControlPlane } from './control-plane-test-app.ts';

let cp: TestControlPlane;
let writer = '';
let reader = '';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  cp = await openTestControlPlane('control_plane_app', { bodyLimit: 64 * 1024 });
  writer = await cp.tenantWithKey('acme', ['registry:write', 'registry:read']);
  reader = (
    await cp.app.inject({ method: 'POST', url: '/v1/tenants/acme/api-keys', headers: bearer(cp.adminKey), payload: { name: 'ro', scopes: ['registry:read'] } })
  ).json().key;
});
afterAll(() => cp.close());

describe('authentication and authorization', () => {
  it('answers 401 without a valid key and 403 without the scope', async () => {
    expect((await cp.app.inject({ url: '/v1/devices' })).json()).toMatchObject({ statusCode: 401, code: 'PLX_REGISTRY_UNAUTHORIZED' });
    expect((await cp.app.inject({ url: '/v1/devices', headers: bearer('plx_deadbeef_' + 'x'.repeat(43)) })).statusCode).toBe(401);
    const denied = await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(reader), payload: { id: 'd' } });
    expect(denied.json()).toEqual({ statusCode: 403, code: 'PLX_REGISTRY_FORBIDDEN_SCOPE', message: 'this API key lacks the registry:write scope' });
    expect((await cp.app.inject({ url: '/v1/devices', headers: bearer(cp.adminKey) })).json()).toMatchObject({
      statusCode: 403,
      code: 'PLX_REGISTRY_TENANT_KEY_REQUIRED'
    });
    expect((await cp.app.inject({ url: '/v1/tenants', headers: bearer(writer) })).json()).toMatchObject({ code: 'PLX_REGISTRY_PLATFORM_KEY_REQUIRED' });
  });

  it('cuts a suspended tenant off and lets it back in on resume', async () => {
    const key = await cp.tenantWithKey('paused', ['registry:read']);
    await cp.app.inject({ method: 'POST', url: '/v1/tenants/paused/suspend', headers: bearer(cp.adminKey) });
    expect((await cp.app.inject({ url: '/v1/devices', headers: bearer(key) })).json()).toMatchObject({ statusCode: 403, code: 'PLX_REGISTRY_TENANT_SUSPENDED' });
    await cp.app.inject({ method: 'POST', url: '/v1/tenants/paused/resume', headers: bearer(cp.adminKey) });
    expect((await cp.app.inject({ url: '/v1/devices', headers: bearer(key) })).statusCode).toBe(200);
  });

  it('revokes API keys', async () => {
    const created = (
      await cp.app.inject({ method: 'POST', url: '/v1/tenants/acme/api-keys', headers: bearer(cp.adminKey), payload: { name: 'temp', scopes: ['admin'] } })
    ).json();
    const listed = (await cp.app.inject({ url: '/v1/tenants/acme/api-keys', headers: bearer(created.key) })).json();
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect((await cp.app.inject({ method: 'DELETE', url: `/v1/tenants/acme/api-keys/${created.id}`, headers: bearer(created.key) })).statusCode).toBe(204);
    expect((await cp.app.inject({ url: '/v1/devices', headers: bearer(created.key) })).statusCode).toBe(401);
  });
});

describe('bad input', () => {
  it('names the field for schema errors', async () => {
    const badTenant = await cp.app.inject({ method: 'POST', url: '/v1/tenants', headers: bearer(cp.adminKey), payload: { id: 'Not A Slug', name: 'x' } });
    expect(badTenant.json()).toMatchObject({ statusCode: 400, code: 'PLX_CONTROL_VALIDATION', field: 'body/id' });
    const missing = await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { name: 'no id' } });
    expect(missing.json()).toMatchObject({ statusCode: 400, field: 'body/id' });
    const extra = await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'ok', colour: 'red' } });
    expect(extra.json()).toMatchObject({ statusCode: 400, field: 'body/colour' });
    const limit = await cp.app.inject({ url: '/v1/devices?limit=5000', headers: bearer(reader) });
    expect(limit.json()).toMatchObject({ statusCode: 400, field: 'querystring/limit' });
  });

  it('answers malformed JSON, oversize bodies, unknown media types and routes with catalog codes', async () => {
    const headers = { ...bearer(writer), 'content-type': 'application/json' };
    expect((await cp.app.inject({ method: 'POST', url: '/v1/devices', headers, payload: '{"id": ' })).json()).toMatchObject({
      statusCode: 400,
      code: 'PLX_CONTROL_INVALID_JSON'
    });
    const huge = JSON.stringify({ id: 'big', attributes: { blob: 'x'.repeat(70 * 1024) } });
    expect((await cp.app.inject({ method: 'POST', url: '/v1/devices', headers, payload: huge })).json()).toMatchObject({
      statusCode: 413,
      code: 'PLX_CONTROL_BODY_TOO_LARGE'
    });
    const xml = await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: { ...bearer(writer), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.json()).toMatchObject({ statusCode: 415, code: 'PLX_CONTROL_UNSUPPORTED_MEDIA_TYPE' });
    expect((await cp.app.inject({ url: '/v1/nowhere', headers: bearer(writer) })).json()).toMatchObject({ statusCode: 404 });
    expect((await cp.app.inject({ url: '/nowhere' })).json()).toMatchObject({ statusCode: 404, code: 'PLX_CONTROL_ROUTE_NOT_FOUND' });
    expect((await cp.app.inject({ url: '/v1/devices?cursor=bogus', headers: bearer(reader) })).json()).toMatchObject({
      statusCode: 400,
      code: 'PLX_REGISTRY_INVALID_CURSOR'
    });
  });
});

describe('registry over HTTP', () => {
  it('runs the device lifecycle with types, filters, paging, credentials and groups', async () => {
    const post = (url: string, payload: unknown) => cp.app.inject({ method: 'POST', url, headers: bearer(writer), payload: payload as object });
    expect((await post('/v1/device-types', { name: 'meter', telemetrySchema: { type: 'object' } })).statusCode).toBe(201);
    for (let i = 0; i < 5; i++) {
      const created = await post('/v1/devices', { id: `m-${i}`, type: 'meter', tags: i < 2 ? ['a', 'b'] : ['a'] });
      expect(created.statusCode).toBe(201);
      expect(created.json().credential.token).toMatch(/^pdt_acme_/);
    }
    expect((await post('/v1/devices', { id: 'm-0' })).json()).toMatchObject({ statusCode: 409, code: 'PLX_REGISTRY_DEVICE_EXISTS' });

    const page1 = (await cp.app.inject({ url: '/v1/devices?limit=3&type=meter', headers: bearer(reader) })).json();
    expect(page1.items.map((d: { id: string }) => d.id)).toEqual(['m-0', 'm-1', 'm-2']);
    const page2 = (await cp.app.inject({ url: `/v1/devices?limit=3&type=meter&cursor=${page1.nextCursor}`, headers: bearer(reader) })).json();
    expect(page2).toMatchObject({ nextCursor: null });
    expect(page2.items.map((d: { id: string }) => d.id)).toEqual(['m-3', 'm-4']);
    const tagged = (await cp.app.inject({ url: '/v1/devices?tag=a&tag=b', headers: bearer(reader) })).json();
    expect(tagged.items.map((d: { id: string }) => d.id)).toEqual(['m-0', 'm-1']);
    const single = (await cp.app.inject({ url: '/v1/devices?tag=b', headers: bearer(reader) })).json();
    expect(single.items).toHaveLength(2);
    expect(single.items[0]).not.toHaveProperty('credentials');

    const patched = await cp.app.inject({ method: 'PATCH', url: '/v1/devices/m-4', headers: bearer(writer), payload: { status: 'disabled' } });
    expect(patched.json()).toMatchObject({ id: 'm-4', status: 'disabled' });
    expect((await cp.app.inject({ url: '/v1/devices/ghost', headers: bearer(reader) })).json()).toMatchObject({ statusCode: 404, code: 'PLX_REGISTRY_DEVICE_NOT_FOUND' });

    const rotated = await post('/v1/devices/m-0/credentials/rotate', { graceSeconds: 60 });
    expect(rotated.statusCode).toBe(201);
    const creds = (await cp.app.inject({ url: '/v1/devices/m-0/credentials', headers: bearer(reader) })).json();
    expect(creds.items).toHaveLength(2);
    expect(JSON.stringify(creds)).not.toContain(rotated.json().token);
    expect((await cp.app.inject({ method: 'DELETE', url: `/v1/devices/m-0/credentials/${rotated.json().id}`, headers: bearer(writer) })).statusCode).toBe(204);

    expect((await post('/v1/groups', { id: 'pilot', kind: 'static' })).statusCode).toBe(201);
    expect((await post('/v1/groups/pilot/members', { deviceIds: ['m-1', 'm-3', 'nope'] })).json()).toEqual({ changed: 2, unchanged: 0, notFound: ['nope'] });
    const members = (await cp.app.inject({ url: '/v1/groups/pilot/devices', headers: bearer(reader) })).json();
    expect(members.items.map((d: { id: string }) => d.id)).toEqual(['m-1', 'm-3']);
    expect((await post('/v1/groups', { id: 'ab', kind: 'dynamic', query: { tags: ['a', 'b'] } })).statusCode).toBe(201);
    const dynamic = (await cp.app.inject({ url: '/v1/groups/ab/devices?limit=1', headers: bearer(reader) })).json();
    expect(dynamic.items.map((d: { id: string }) => d.id)).toEqual(['m-0']);
    expect(dynamic.nextCursor).toEqual(expect.any(String));

    expect((await cp.app.inject({ method: 'DELETE', url: '/v1/devices/m-3', headers: bearer(writer) })).statusCode).toBe(204);
    expect((await cp.app.inject({ method: 'DELETE', url: '/v1/device-types/meter', headers: bearer(writer) })).json()).toMatchObject({
      statusCode: 409,
      code: 'PLX_REGISTRY_DEVICE_TYPE_IN_USE'
    });
  });

  it('self-provisions with a claim token and no API key', async () => {
    await cp.app.inject({ method: 'POST', url: '/v1/device-types', headers: bearer(writer), payload: { name: 'kit' } });
    const claim = (
      await cp.app.inject({ method: 'POST', url: '/v1/claim-tokens', headers: bearer(writer), payload: { deviceType: 'kit', maxUses: 1, ttlSeconds: 600 } })
    ).json();
    const registered = await cp.app.inject({ method: 'POST', url: '/v1/provisioning/register', payload: { claimToken: claim.token, deviceId: 'kit-1' } });
    expect(registered.statusCode).toBe(201);
    expect(registered.json()).toMatchObject({ device: { id: 'kit-1', type: 'kit' }, credential: { token: expect.stringMatching(/^pdt_acme_/) } });
    const again = await cp.app.inject({ method: 'POST', url: '/v1/provisioning/register', payload: { claimToken: claim.token, deviceId: 'kit-2' } });
    expect(again.json()).toMatchObject({ statusCode: 401, code: 'PLX_REGISTRY_CLAIM_TOKEN_INVALID' });
    const listed = (await cp.app.inject({ url: '/v1/claim-tokens', headers: bearer(reader) })).json();
    expect(listed.items[0]).toMatchObject({ uses: 1, maxUses: 1 });
  });

  it('authenticates CONNECT batches for gateways behind the internal token', async () => {
    const device = (await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'gw-1' } })).json();
    const url = '/internal/v1/device-auth';
    const payload = { requests: [{ clientId: 'gw-1', password: device.credential.token }, { clientId: 'gw-1', password: 'wrong' }] };
    expect((await cp.app.inject({ method: 'POST', url, payload })).json()).toMatchObject({ statusCode: 401, code: 'PLX_CONTROL_INTERNAL_UNAUTHORIZED' });
    expect((await cp.app.inject({ method: 'POST', url, headers: bearer(writer), payload })).statusCode).toBe(401);
    const answered = await cp.app.inject({ method: 'POST', url, headers: bearer(cp.internalToken), payload });
    expect(answered.json()).toEqual({
      results: [
        { result: 'allow', principal: { kind: 'device', tenantId: 'acme', deviceId: 'gw-1', deviceType: null, expiresAt: null } },
        { result: 'deny', reason: 'bad-credentials' }
      ]
    });
  });
});

describe('device sightings from gateways', () => {
  it('move lastSeen forward behind the internal token', async () => {
    await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'seen-1' } });
    const at = Date.UTC(2026, 10, 26, 13, 0, 0);
    const url = '/internal/v1/device-sightings';
    const payload = { sightings: [{ tenantId: 'acme', deviceId: 'seen-1', at }] };
    expect((await cp.app.inject({ method: 'POST', url, payload })).statusCode).toBe(401);
    expect((await cp.app.inject({ method: 'POST', url, headers: bearer(cp.internalToken), payload: { sightings: [] } })).json()).toMatchObject({
      statusCode: 400,
      field: 'body/sightings'
    });
    expect((await cp.app.inject({ method: 'POST', url, headers: bearer(cp.internalToken), payload })).json()).toEqual({ recorded: 1 });
    expect((await cp.app.inject({ url: '/v1/devices/seen-1', headers: bearer(reader) })).json().lastSeen).toBe(new Date(at).toISOString());
  });
});

describe('lookups for the data plane', () => {
  it("resolve API keys to principals and devices to their type's telemetry schema, behind the internal token", async () => {
    const internal = bearer(cp.internalToken);
    const keys = await cp.app.inject({ method: 'POST', url: '/internal/v1/api-key-principals', headers: internal, payload: { keys: [reader, 'plx_nope_x', writer] } });
    const [readerPrincipal, unknown, writerPrincipal] = keys.json().principals;
    expect(readerPrincipal).toMatchObject({ tenantId: 'acme', scopes: ['registry:read'], tenantSuspended: false });
    expect(unknown).toBeNull();
    expect(writerPrincipal.scopes).toContain('registry:write');
    expect((await cp.app.inject({ method: 'POST', url: '/internal/v1/api-key-principals', payload: { keys: [reader] } })).statusCode).toBe(401);

    const retention = await cp.app.inject({ method: 'PATCH', url: '/v1/tenants/acme', headers: bearer(cp.adminKey), payload: { telemetryRetentionDays: 7 } });
    expect(retention.json()).toMatchObject({ id: 'acme', telemetryRetentionDays: 7 });
    expect((await cp.app.inject({ method: 'PATCH', url: '/v1/tenants/acme', headers: bearer(cp.adminKey), payload: { telemetryRetentionDays: 5000 } })).json()).toMatchObject({
      statusCode: 400,
      field: 'body/telemetryRetentionDays'
    });
    const schema = { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] };
    await cp.app.inject({ method: 'POST', url: '/v1/device-types', headers: bearer(writer), payload: { name: 'thermometer', telemetrySchema: schema } });
    await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'thermo-9', type: 'thermometer' } });
    await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'plain-9' } });
    const devices = [
      { tenantId: 'acme', deviceId: 'thermo-9' },
      { tenantId: 'acme', deviceId: 'plain-9' },
      { tenantId: 'acme', deviceId: 'ghost-9' }
    ];
    const profiles = await cp.app.inject({ method: 'POST', url: '/internal/v1/device-profiles', headers: internal, payload: { devices } });
    expect(profiles.json().profiles).toEqual([
      { tenantId: 'acme', deviceId: 'thermo-9', exists: true, status: 'enabled', deviceType: 'thermometer', telemetryRetentionDays: 7, telemetrySchema: schema },
      { tenantId: 'acme', deviceId: 'plain-9', exists: true, status: 'enabled', deviceType: null, telemetryRetentionDays: 7, telemetrySchema: null },
      { tenantId: 'acme', deviceId: 'ghost-9', exists: false, status: null, deviceType: null, telemetryRetentionDays: null, telemetrySchema: null }
    ]);
    expect((await cp.app.inject({ method: 'POST', url: '/internal/v1/device-profiles', headers: internal, payload: { devices: [] } })).json()).toMatchObject({
      statusCode: 400,
      field: 'body/devices'
    });
  });
});

describe('operations endpoints', () => {
  it('serves OpenAPI generated from the schemas, health, readiness and metrics', async () => {
    const spec = (await cp.app.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/devices', '/v1/devices/bulk', '/v1/tenants/{tenantId}/api-keys', '/v1/provisioning/register']));
    expect(spec.paths['/v1/devices'].post.requestBody.content['application/json'].schema.required).toContain('id');
    expect((await cp.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    expect((await cp.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await cp.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', checks: { mongodb: 'ok' } });
    const exposition = (await cp.app.inject({ url: '/metrics' })).body;
    expect(exposition).toContain('plexus_http_request_duration_seconds_bucket');
    expect(exposition).toMatch(/plexus_registry_connect_authentications_total\{result="allow"\} [1-9]/);
    expect(exposition).toMatch(/plexus_registry_connect_authentications_total\{result="bad-credentials"\} [1-9]/);
  });
});
