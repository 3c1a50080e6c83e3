import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY_PATTERN, generateAdminKey, loadOrCreateAdminKey, loadOrCreateInternalToken } from './secrets.ts';

const directory = mkdtempSync(join(tmpdir(), 'plexus-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('admin keys', () => {
  it('are plx_, an 8-hex key id, _, and 32 random bytes in base64url', () => {
    const key = generateAdminKey();
    expect(key).toMatch(ADMIN_KEY_PATTERN);
    expect(Buffer.from(key.split('_').slice(2).join('_'), 'base64url')).toHaveLength(32);
    expect(generateAdminKey()).not.toBe(key);
  });

  it('are created once with mode 0600 and reused on later starts', () => {
    const file = join(directory, 'nested', 'bootstrap-admin-key');
    const first = loadOrCreateAdminKey(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAdminKey(file)).toEqual({ value: first.value, created: false });
  });

  it('refuse a damaged key file with PLX_PLATFORM_BAD_SECRET_FILE', () => {
    const file = join(directory, 'damaged-key');
    writeFileSync(file, 'not a key\n');
    expect(() => loadOrCreateAdminKey(file)).toThrow(expect.objectContaining({ code: 'PLX_PLATFORM_BAD_SECRET_FILE' }));
  });
});

describe('internal token', () => {
  it('is 43 base64url characters and survives restarts', () => {
    const file = join(directory, 'internal-token');
    const first = loadOrCreateInternalToken(file);
    expect(first.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadOrCreateInternalToken(file).value).toBe(first.value);
  });
});
