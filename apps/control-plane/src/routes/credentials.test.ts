import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryErrors } from '@plexus/registry';
import { openTestControlPlane, type TestControlPlane } from '../control-plane-test-app.ts';

let cp: TestControlPlane;
let writer = '';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const certificatePem = execFileSync(
  'openssl',
  ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=meter-1', '-days', '2', '-addext', 'basicConstraints=critical,CA:FALSE', '-keyout', '/dev/null'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
);

beforeAll(async () => {
  cp = await openTestControlPlane('control_plane_credentials');
  writer = await cp.tenantWithKey('acme', ['registry:write', 'registry:read']);
  await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'meter-1' } });
  await cp.app.inject({ method: 'POST', url: '/v1/devices', headers: bearer(writer), payload: { id: 'meter-2' } });
});
afterAll(() => cp.close());

const register = (deviceId: string, payload: Record<string, unknown>) =>
  cp.app.inject({ method: 'POST', url: `/v1/devices/${deviceId}/credentials`, headers: bearer(writer), payload });

describe('x509 credentials over HTTP', () => {
  it('registers a certificate, lists it with its fingerprint and revokes it', async () => {
    const fingerprint = new X509Certificate(certificatePem).fingerprint256;
    const created = await register('meter-1', { kind: 'x509', certificatePem });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'x509', fingerprint, id: expect.stringMatching(/^crd_/) });
    expect(created.json()).not.toHaveProperty('token');

    const listed = (await cp.app.inject({ url: '/v1/devices/meter-1/credentials', headers: bearer(writer) })).json();
    expect(listed.items).toContainEqual(expect.objectContaining({ kind: 'x509', fingerprint }));

    const taken = await register('meter-2', { kind: 'x509', fingerprint: fingerprint.replaceAll(':', '').toLowerCase() });
    expect(taken.json()).toMatchObject({ statusCode: 409, code: RegistryErrors.certificateInUse.code });

    const revoked = await cp.app.inject({ method: 'DELETE', url: `/v1/devices/meter-1/credentials/${created.json().id}`, headers: bearer(writer) });
    expect(revoked.statusCode).toBe(204);
    expect((await register('meter-2', { kind: 'x509', fingerprint })).statusCode).toBe(201);
  });

  it('still issues tokens by default', async () => {
    const issued = await register('meter-1', {});
    expect(issued.statusCode).toBe(201);
    expect(issued.json()).toMatchObject({ token: expect.stringMatching(/^pdt_acme_/) });
  });

  it('answers 400 naming the field for a bad PEM, a malformed fingerprint or a mixed-up body', async () => {
    const garbage = await register('meter-1', { kind: 'x509', certificatePem: '-----BEGIN CERTIFICATE-----\nnot base64 DER\n-----END CERTIFICATE-----' });
    expect(garbage.json()).toMatchObject({ statusCode: 400, code: RegistryErrors.invalidCertificate.code, field: 'body/certificatePem' });
    const notPem = await register('meter-1', { kind: 'x509', certificatePem: 'hello' });
    expect(notPem.json()).toMatchObject({ statusCode: 400, code: RegistryErrors.invalidCertificate.code, field: 'body/certificatePem' });
    const shortFingerprint = await register('meter-1', { kind: 'x509', fingerprint: 'AB:CD' });
    expect(shortFingerprint.json()).toMatchObject({ statusCode: 400, code: 'PLX_CONTROL_VALIDATION', field: 'body/fingerprint' });
    const neither = await register('meter-1', { kind: 'x509' });
    expect(neither.json()).toMatchObject({ statusCode: 400, code: RegistryErrors.certificateRequired.code });
    const tokenWithCertificate = await register('meter-1', { certificatePem });
    expect(tokenWithCertificate.json()).toMatchObject({ statusCode: 400, code: RegistryErrors.credentialKindMismatch.code, field: 'body/certificatePem' });
    const certificateWithTtl = await register('meter-1', { kind: 'x509', certificatePem, ttlSeconds: 3600 });
    expect(certificateWithTtl.json()).toMatchObject({ statusCode: 400, code: RegistryErrors.credentialKindMismatch.code, field: 'body/ttlSeconds' });
  });
});
