import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import {
  AuthRequest,
  BulkDeviceLine,
  CertificateFingerprint,
  CreateGroupBody,
  CreateTenantBody,
  DeviceId,
  IssueCredentialBody,
  TenantId
} from './index.ts';

describe('identifier schemas', () => {
  const deviceId = Compile(DeviceId);
  const tenantId = Compile(TenantId);

  it('keep ids safe for MQTT topics and composite keys', () => {
    for (const good of ['dev-1', 'A.b_c:d-9', 'x']) expect(deviceId.Check(good)).toBe(true);
    for (const bad of ['', 'a/b', 'a+b', 'a#', 'with space', '-lead', 'x'.repeat(129)]) expect(deviceId.Check(bad)).toBe(false);
  });

  it('keep tenant ids lower-case slugs without the separators tokens use', () => {
    expect(tenantId.Check('acme-eu')).toBe(true);
    for (const bad of ['Acme', 'a', 'a_b', 'a.b', 'a/b']) expect(tenantId.Check(bad)).toBe(false);
  });
});

describe('request schemas', () => {
  it('reject unknown properties so typos surface as errors', () => {
    expect(Compile(CreateTenantBody).Check({ id: 'acme', name: 'Acme', plan: 'gold' })).toBe(false);
    expect(Compile(BulkDeviceLine).Check({ id: 'd', colour: 'red' })).toBe(false);
  });

  it('require a query for dynamic groups only', () => {
    const group = Compile(CreateGroupBody);
    expect(group.Check({ id: 'g', kind: 'static' })).toBe(true);
    expect(group.Check({ id: 'g', kind: 'dynamic' })).toBe(false);
    expect(group.Check({ id: 'g', kind: 'dynamic', query: { tags: ['x'] } })).toBe(true);
    expect(group.Check({ id: 'g', kind: 'dynamic', query: {} })).toBe(false);
  });
});

describe('client certificate schemas', () => {
  const fingerprint = 'AB:'.repeat(31) + '0F';

  it('store and compare one fingerprint form: upper-case hex pairs joined by colons', () => {
    const canonical = Compile(CertificateFingerprint);
    expect(canonical.Check(fingerprint)).toBe(true);
    for (const other of [fingerprint.toLowerCase(), fingerprint.replaceAll(':', ''), fingerprint.slice(3), `${fingerprint}:00`]) {
      expect(canonical.Check(other)).toBe(false);
    }
    expect(Compile(AuthRequest).Check({ clientId: 'd', password: '', certificateFingerprint: fingerprint.toLowerCase() })).toBe(false);
  });

  it('accept a registered fingerprint in any case, with or without colons', () => {
    const body = Compile(IssueCredentialBody);
    for (const input of [fingerprint, fingerprint.toLowerCase(), fingerprint.replaceAll(':', '')]) {
      expect(body.Check({ kind: 'x509', fingerprint: input })).toBe(true);
    }
    expect(body.Check({ kind: 'x509', fingerprint: 'AB'.repeat(31) })).toBe(false);
    expect(body.Check({ kind: 'pgp' })).toBe(false);
  });
});
