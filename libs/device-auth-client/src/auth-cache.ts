import type { AuthResult, RevocationEvent } from '@plexus/contracts';

export interface CachedAuth {
  readonly result: AuthResult;
  /** Epoch ms after which the entry must be asked for again. */
  readonly expiresAt: number;
  /** The key id of a device JWT, so revoking that signing key drops what it let in. */
  readonly signingKeyId: string | null;
}

/**
 * Results of CONNECT authentication by request key, bounded in size (oldest entries go first)
 * and in time. Revocations are rare next to connects, so they scan the entries instead of
 * keeping indexes that every connect would pay for.
 */
export class AuthCache {
  private readonly entries = new Map<string, CachedAuth>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): AuthResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, entry: CachedAuth): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Drops every entry the event takes access away from; returns how many. */
  revoke(event: RevocationEvent): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (revokes(event, entry)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }
}

function revokes(event: RevocationEvent, entry: CachedAuth): boolean {
  if (entry.result.result !== 'allow') return false;
  const principal = entry.result.principal;
  switch (event.kind) {
    case 'tenant':
      return principal.tenantId === event.tenantId;
    case 'device':
      return principal.kind === 'device' && principal.tenantId === event.tenantId && principal.deviceId === event.deviceId;
    case 'api-key':
      return principal.kind === 'app' && principal.keyId === event.keyId;
    case 'signing-key':
      return entry.signingKeyId === event.signingKeyId;
  }
}
