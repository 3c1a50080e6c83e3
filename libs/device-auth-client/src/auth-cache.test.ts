import type { AuthResult } from '@plexus/contracts';
import { describe, expect, it } from 'vitest';
import { AuthCache } from './auth-cache.ts';

const device = (tenantId: string, deviceId: string): AuthResult => ({
  result: 'allow',
  principal: { kind: 'device', tenantId, deviceId, deviceType: null, expiresAt: null }
});
const app = (tenantId: string, keyId: string): AuthResult => ({
  result: 'allow',
  principal: { kind: 'app', tenantId, keyId, scopes: ['mqtt:subscribe'] }
});
const denied: AuthResult = { result: 'deny', reason: 'bad-credentials' };

describe('AuthCache', () => {
  it('answers until an entry expires', () => {
    const cache = new AuthCache(10);
    cache.set('k', { result: device('acme', 'd'), expiresAt: 100, signingKeyId: null });
    expect(cache.get('k', 99)).toEqual(device('acme', 'd'));
    expect(cache.get('k', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest entry beyond its bound', () => {
    const cache = new AuthCache(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, { result: denied, expiresAt: 1e15, signingKeyId: null });
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toEqual(denied);
  });

  it('drops exactly what each kind of revocation takes away', () => {
    const cache = new AuthCache(100);
    const entries = {
      'acme-d1': device('acme', 'd1'),
      'acme-d2': device('acme', 'd2'),
      'other-d1': device('other', 'd1'),
      'acme-app': app('acme', 'k1'),
      'acme-jwt': device('acme', 'd3')
    };
    const fill = () => {
      for (const [key, result] of Object.entries(entries)) {
        cache.set(key, { result, expiresAt: 1e15, signingKeyId: key === 'acme-jwt' ? 'sk_1' : null });
      }
    };
    const left = () => Object.keys(entries).filter((key) => cache.get(key, 0));

    fill();
    expect(cache.revoke({ kind: 'device', tenantId: 'acme', deviceId: 'd1', reason: 'credential-revoked' })).toBe(1);
    expect(left()).toEqual(['acme-d2', 'other-d1', 'acme-app', 'acme-jwt']);
    fill();
    cache.revoke({ kind: 'api-key', tenantId: 'acme', keyId: 'k1', reason: 'api-key-revoked' });
    expect(left()).toEqual(['acme-d1', 'acme-d2', 'other-d1', 'acme-jwt']);
    fill();
    cache.revoke({ kind: 'signing-key', tenantId: 'acme', signingKeyId: 'sk_1', reason: 'signing-key-revoked' });
    expect(left()).toEqual(['acme-d1', 'acme-d2', 'other-d1', 'acme-app']);
    fill();
    cache.revoke({ kind: 'tenant', tenantId: 'acme', reason: 'tenant-suspended' });
    expect(left()).toEqual(['other-d1']);
  });
});
