import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Tokens are 256 random bits, so a fast SHA-256 is as safe as a slow password hash and keeps
// connect storms cheap. Each token carries the locator of its record (key id, tenant), so a
// lookup is a single primary-key read on any MongoDB-wire engine.

const SECRET_BYTES = 32;
const SECRET_PATTERN = '[A-Za-z0-9_-]{43}';
const API_KEY = new RegExp(`^plx_([0-9a-f]{8,32})_${SECRET_PATTERN}$`);
const DEVICE_TOKEN = new RegExp(`^pdt_([a-z0-9][a-z0-9-]{1,62})_${SECRET_PATTERN}$`);
const CLAIM_TOKEN = new RegExp(`^pct_([0-9a-f]{16})_${SECRET_PATTERN}$`);

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hashesEqual(aHex: string, bHex: string): boolean {
  if (aHex.length !== bHex.length) return false;
  return timingSafeEqual(Buffer.from(aHex, 'hex'), Buffer.from(bHex, 'hex'));
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** `count` secrets from one call to the CSPRNG: bulk registration issues a thousand at a time. */
export function randomSecrets(count: number): string[] {
  const pool = randomBytes(SECRET_BYTES * count);
  const secrets = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    secrets[i] = pool.subarray(i * SECRET_BYTES, (i + 1) * SECRET_BYTES).toString('base64url');
  }
  return secrets;
}

export function formatApiKey(keyId: string, secret: string): string {
  return `plx_${keyId}_${secret}`;
}

export function parseApiKey(key: string): { keyId: string } | null {
  const match = API_KEY.exec(key);
  return match ? { keyId: match[1] as string } : null;
}

export function formatDeviceToken(tenantId: string, secret: string): string {
  return `pdt_${tenantId}_${secret}`;
}

export function parseDeviceToken(token: string): { tenantId: string } | null {
  const match = DEVICE_TOKEN.exec(token);
  return match ? { tenantId: match[1] as string } : null;
}

export function formatClaimToken(claimTokenId: string, secret: string): string {
  return `pct_${claimTokenId}_${secret}`;
}

export function parseClaimToken(token: string): { claimTokenId: string } | null {
  const match = CLAIM_TOKEN.exec(token);
  return match ? { claimTokenId: match[1] as string } : null;
}

export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}
