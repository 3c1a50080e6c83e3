import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, listCredentials, revokeCredential, rotateCredentials } from './credentials.ts';
import { authenticateConnections } from './device-auth.ts';
import { canonicalFingerprint } from './device-certificates.ts';
import { createDevice, patchDevice } from './devices.ts';
import { RegistryErrors } from './errors.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

/** A self-signed leaf certificate: the registry only fingerprints it; chains are the gateway's job. */
function certificatePem(commonName: string, extension = 'basicConstraints=critical,CA:FALSE'): string {
  return execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${commonName}`, '-days', '2', '-addext', extension, '-keyout', '/dev/null'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
  );
}

let t: RegistryTestContext;
let tokenA = '';
beforeAll(async () => {
  t = await openRegistryTestContext('device_certificates');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createTenant(t.ctx, { id: 'rival', name: 'Rival' });
  tokenA = (await createDevice(t.ctx, 'acme', { id: 'cam-1' })).credential.token;
  await createDevice(t.ctx, 'acme', { id: 'cam-2' });
  await createDevice(t.ctx, 'rival', { id: 'cam-1' });
});
afterAll(() => t.close());

describe('x509 credentials', () => {
  it('registers a PEM certificate by its fingerprint, expiring with the certificate, and lists it without secrets', async () => {
    const pem = certificatePem('cam-1');
    const certificate = new X509Certificate(pem);
    const credential = await addCredential(t.ctx, 'acme', 'cam-1', { kind: 'x509', certificatePem: pem });
    expect(credential).toEqual({
      id: expect.stringMatching(/^crd_/),
      kind: 'x509',
      fingerprint: certificate.fingerprint256,
      createdAt: expect.any(String),
      expiresAt: new Date(certificate.validTo).toISOString()
    });
    const listed = await listCredentials(t.ctx, 'acme', 'cam-1');
    expect(listed.map((entry) => entry.kind).sort()).toEqual(['token', 'x509']);
  });

  it('stores a fingerprint given in lower-case hex without colons in the canonical form', async () => {
    const fingerprint = new X509Certificate(certificatePem('cam-2')).fingerprint256;
    const credential = await addCredential(t.ctx, 'acme', 'cam-2', { kind: 'x509', fingerprint: fingerprint.replaceAll(':', '').toLowerCase() });
    expect(credential).toMatchObject({ kind: 'x509', fingerprint, expiresAt: null });
    expect(canonicalFingerprint(fingerprint)).toBe(fingerprint);
  });

  it('refuses what is not a usable device certificate, naming the field', async () => {
    const refusals = [
      { kind: 'x509' as const, certificatePem: 'not a certificate' },
      { kind: 'x509' as const, certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      { kind: 'x509' as const, certificatePem: certificatePem('ca', 'basicConstraints=critical,CA:TRUE') }
    ];
    for (const body of refusals) {
      const refused = addCredential(t.ctx, 'acme', 'cam-1', body);
      await expect(refused).rejects.toMatchObject({ code: RegistryErrors.invalidCertificate.code, details: { field: 'body/certificatePem' } });
    }
    await expect(addCredential(t.ctx, 'acme', 'cam-1', { kind: 'x509' })).rejects.toMatchObject({ code: RegistryErrors.certificateRequired.code });
    await expect(addCredential(t.ctx, 'acme', 'cam-1', { fingerprint: 'AB'.repeat(32) })).rejects.toMatchObject({
      code: RegistryErrors.credentialKindMismatch.code,
      details: { field: 'body/fingerprint' }
    });
  });

  it('maps one certificate to one device, across tenants too', async () => {
    const pem = certificatePem('shared');
    await addCredential(t.ctx, 'acme', 'cam-2', { kind: 'x509', certificatePem: pem });
    await expect(addCredential(t.ctx, 'rival', 'cam-1', { kind: 'x509', certificatePem: pem })).rejects.toMatchObject({
      code: RegistryErrors.certificateInUse.code
    });
    await expect(addCredential(t.ctx, 'acme', 'cam-2', { kind: 'x509', certificatePem: pem })).rejects.toMatchObject({
      code: RegistryErrors.certificateInUse.code
    });
  });
});

describe('authenticating by client certificate', () => {
  it('finds tenant and device from the certificate alone, wins over the password and refuses another client id', async () => {
    const pem = certificatePem('rival-cam');
    const fingerprint = new X509Certificate(pem).fingerprint256;
    await addCredential(t.ctx, 'rival', 'cam-1', { kind: 'x509', certificatePem: pem });
    const results = await authenticateConnections(t.ctx, [
      { clientId: 'cam-1', password: '', certificateFingerprint: fingerprint },
      { clientId: 'cam-1', password: 'wrong', certificateFingerprint: fingerprint },
      { clientId: 'cam-2', password: '', certificateFingerprint: fingerprint },
      { clientId: 'cam-1', password: tokenA, certificateFingerprint: fingerprint }
    ]);
    expect(results[0]).toMatchObject({ result: 'allow', principal: { kind: 'device', tenantId: 'rival', deviceId: 'cam-1' } });
    expect(results[1]).toMatchObject({ result: 'allow', principal: { tenantId: 'rival', deviceId: 'cam-1' } });
    expect(results[2]).toEqual({ result: 'deny', reason: 'not-authorized' });
    expect(results[3]).toMatchObject({ result: 'allow', principal: { tenantId: 'rival', deviceId: 'cam-1' } });
  });

  it('leaves an unknown certificate to the password', async () => {
    const unknown = new X509Certificate(certificatePem('nobody')).fingerprint256;
    const results = await authenticateConnections(t.ctx, [
      { clientId: 'cam-1', password: '', certificateFingerprint: unknown },
      { clientId: 'cam-1', password: tokenA, certificateFingerprint: unknown }
    ]);
    expect(results[0]).toEqual({ result: 'deny', reason: 'bad-credentials' });
    expect(results[1]).toMatchObject({ result: 'allow', principal: { tenantId: 'acme', deviceId: 'cam-1' } });
  });

  it('stops a revoked certificate, tells the gateways, and lets another device register it afterwards', async () => {
    await createDevice(t.ctx, 'acme', { id: 'cam-3' });
    const pem = certificatePem('cam-3');
    const fingerprint = new X509Certificate(pem).fingerprint256;
    const credential = await addCredential(t.ctx, 'acme', 'cam-3', { kind: 'x509', certificatePem: pem });
    expect((await authenticateConnections(t.ctx, [{ clientId: 'cam-3', password: '', certificateFingerprint: fingerprint }]))[0]?.result).toBe('allow');

    await revokeCredential(t.ctx, 'acme', 'cam-3', credential.id);
    await t.waitForRevocation((event) => event.kind === 'device' && event.deviceId === 'cam-3');
    expect(await authenticateConnections(t.ctx, [{ clientId: 'cam-3', password: '', certificateFingerprint: fingerprint }])).toEqual([
      { result: 'deny', reason: 'bad-credentials' }
    ]);
    expect(await t.ctx.collections.deviceCertificates.findOne({ _id: fingerprint })).toBeNull();
    await expect(addCredential(t.ctx, 'acme', 'cam-2', { kind: 'x509', certificatePem: pem })).resolves.toMatchObject({ fingerprint });
  });

  it('takes over a mapping whose credential is gone, and keeps certificates through token rotation', async () => {
    await createDevice(t.ctx, 'acme', { id: 'cam-4' });
    const pem = certificatePem('cam-4');
    const fingerprint = new X509Certificate(pem).fingerprint256;
    await addCredential(t.ctx, 'acme', 'cam-4', { kind: 'x509', certificatePem: pem });
    await rotateCredentials(t.ctx, 'acme', 'cam-4', {});
    expect((await listCredentials(t.ctx, 'acme', 'cam-4')).map((entry) => entry.kind).sort()).toEqual(['token', 'x509']);

    // A mapping left behind (the device deleted, or a crash between the two writes) is stale.
    await t.ctx.collections.devices.updateOne({ _id: 'acme/cam-4' }, { $set: { credentials: [] } });
    await createDevice(t.ctx, 'acme', { id: 'cam-5' });
    await expect(addCredential(t.ctx, 'acme', 'cam-5', { kind: 'x509', certificatePem: pem })).resolves.toMatchObject({ fingerprint });
    expect(await authenticateConnections(t.ctx, [{ clientId: 'cam-5', password: '', certificateFingerprint: fingerprint }])).toMatchObject([
      { result: 'allow', principal: { deviceId: 'cam-5' } }
    ]);
  });

  it('still denies a disabled device that presents its certificate', async () => {
    await createDevice(t.ctx, 'acme', { id: 'cam-off' });
    const pem = certificatePem('cam-off');
    await addCredential(t.ctx, 'acme', 'cam-off', { kind: 'x509', certificatePem: pem });
    await patchDevice(t.ctx, 'acme', 'cam-off', { status: 'disabled' });
    expect(
      await authenticateConnections(t.ctx, [{ clientId: 'cam-off', password: '', certificateFingerprint: new X509Certificate(pem).fingerprint256 }])
    ).toEqual([{ result: 'deny', reason: 'device-disabled' }]);
  });
});
