import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { platformErrors } from './errors.ts';

/** `plx_<8 hex key id>_<43 base64url chars of 32 random bytes>`; the id is what logs may show. */
export const ADMIN_KEY_PATTERN = /^plx_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
const INTERNAL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateAdminKey(): string {
  return `plx_${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

export function generateInternalToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface StoredSecret {
  readonly value: string;
  readonly created: boolean;
}

/**
 * Returns the secret kept in `file`, creating it (mode 0600, never overwriting) on first use so
 * that restarts keep the same admin key and the same token between planes.
 */
export function loadOrCreateSecret(file: string, generate: () => string, pattern: RegExp, what: string): StoredSecret {
  mkdirSync(dirname(file), { recursive: true });
  const value = generate();
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = readFileSync(file, 'utf8').trim();
  if (!pattern.test(stored)) throw platformErrors.badSecretFile(file, what);
  return { value: stored, created: false };
}

export function loadOrCreateAdminKey(file: string): StoredSecret {
  return loadOrCreateSecret(file, generateAdminKey, ADMIN_KEY_PATTERN, 'an admin API key (plx_<id>_<secret>)');
}

export function loadOrCreateInternalToken(file: string): StoredSecret {
  return loadOrCreateSecret(file, generateInternalToken, INTERNAL_TOKEN_PATTERN, 'a 43-character base64url token');
}
