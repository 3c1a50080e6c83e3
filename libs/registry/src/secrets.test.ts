import { describe, expect, it } from 'vitest';
import {
  formatApiKey,
  formatClaimToken,
  formatDeviceToken,
  hashesEqual,
  looksLikeJwt,
  parseApiKey,
  parseClaimToken,
  parseDeviceToken,
  randomSecrets,
  sha256Hex
} from './secrets.ts';

describe('secrets', () => {
  it('issues distinct 256-bit secrets in bulk', () => {
    const secrets = randomSecrets(1000);
    expect(new Set(secrets).size).toBe(1000);
    for (const secret of secrets) expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('round-trips the locator of every token kind', () => {
    const [secret] = randomSecrets(1) as [string];
    expect(parseApiKey(formatApiKey('0123abcd', secret))).toEqual({ keyId: '0123abcd' });
    expect(parseDeviceToken(formatDeviceToken('acme-eu', secret))).toEqual({ tenantId: 'acme-eu' });
    expect(parseClaimToken(formatClaimToken('0123456789abcdef', secret))).toEqual({ claimTokenId: '0123456789abcdef' });
  });

  it('rejects malformed tokens instead of guessing', () => {
    expect(parseApiKey('plx_nothex_x')).toBeNull();
    expect(parseDeviceToken('pdt_Acme_' + 'a'.repeat(43))).toBeNull();
    expect(parseDeviceToken('pdt_acme_' + 'a'.repeat(42))).toBeNull();
    expect(parseClaimToken('')).toBeNull();
  });

  it('compares hashes by value', () => {
    expect(hashesEqual(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(hashesEqual(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(hashesEqual(sha256Hex('a'), 'abcd')).toBe(false);
  });

  it('recognises the JWT shape', () => {
    expect(looksLikeJwt('aaa.bbb.ccc')).toBe(true);
    expect(looksLikeJwt('pdt_acme_x')).toBe(false);
  });
});
