import { createHash } from 'node:crypto';
import type { AuthBatchResponse, AuthRequest, AuthResult, RevocationEvent } from '@plexus/contracts';
import { AuthCache } from './auth-cache.ts';
import { DeviceAuthClientErrors } from './errors.ts';

export interface ConnectAuthenticatorOptions {
  /** Base URL of the control plane, e.g. `http://127.0.0.1:8080`. */
  readonly controlPlaneUrl: string;
  /** `PLEXUS_INTERNAL_TOKEN`, shared by the planes. */
  readonly internalToken: string;
  /** CONNECTs per request; the endpoint takes at most 1,000. */
  readonly maxBatch?: number;
  /** How long the first CONNECT of a batch waits for others to join it. */
  readonly lingerMs?: number;
  /** Requests to the control plane at once; further batches wait their turn. */
  readonly maxInFlight?: number;
  /** How long an allowed CONNECT is answered from cache (never past its credential's expiry). */
  readonly allowTtlMs?: number;
  /** How long a denial is answered from cache, so a misconfigured fleet cannot storm the control plane. */
  readonly denyTtlMs?: number;
  readonly maxEntries?: number;
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

interface Waiter {
  resolve(result: AuthResult): void;
  reject(error: Error): void;
}

interface Pending {
  readonly key: string;
  readonly request: AuthRequest;
  readonly waiters: Waiter[];
}

export interface ConnectAuthenticatorStats {
  readonly cacheHits: number;
  readonly requestsSent: number;
  readonly cachedEntries: number;
}

type RevocationListener = (event: RevocationEvent) => void;

/**
 * The gateway's side of CONNECT authentication, built for connect storms: concurrent CONNECTs
 * are coalesced into batched calls to `POST /internal/v1/device-auth`, identical requests in
 * flight share one answer, and answers are cached until a TTL, the credential's own expiry or a
 * revocation event, whichever comes first.
 */
export class ConnectAuthenticator {
  private readonly options: Required<Omit<ConnectAuthenticatorOptions, 'now'>>;
  private readonly now: () => number;
  private readonly cache: AuthCache;
  private readonly queued = new Map<string, Pending>();
  private readonly inFlight = new Map<string, Pending>();
  private readonly listeners = new Set<RevocationListener>();
  private lingerTimer: NodeJS.Timeout | undefined;
  private requestsRunning = 0;
  private cacheHits = 0;
  private requestsSent = 0;

  constructor(options: ConnectAuthenticatorOptions) {
    this.options = {
      maxBatch: 1000,
      lingerMs: 2,
      maxInFlight: 4,
      allowTtlMs: 5 * 60_000,
      denyTtlMs: 5_000,
      maxEntries: 100_000,
      requestTimeoutMs: 10_000,
      ...options
    };
    this.now = options.now ?? Date.now;
    this.cache = new AuthCache(this.options.maxEntries);
  }

  get stats(): ConnectAuthenticatorStats {
    return { cacheHits: this.cacheHits, requestsSent: this.requestsSent, cachedEntries: this.cache.size };
  }

  authenticate(request: AuthRequest): Promise<AuthResult> {
    const key = requestKey(request);
    const cached = this.cache.get(key, this.now());
    if (cached) {
      this.cacheHits++;
      return Promise.resolve(cached);
    }
    return new Promise<AuthResult>((resolve, reject) => {
      const joined = this.queued.get(key) ?? this.inFlight.get(key);
      if (joined) {
        joined.waiters.push({ resolve, reject });
        return;
      }
      this.queued.set(key, { key, request, waiters: [{ resolve, reject }] });
      if (this.queued.size >= this.options.maxBatch) this.flush();
      else this.lingerTimer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Drops cached answers the event takes access away from and tells the listeners. */
  revoke(event: RevocationEvent): void {
    this.cache.revoke(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Called for every revocation, so the gateway can close the sessions it concerns. */
  onRevocation(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flush(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    while (this.queued.size > 0 && this.requestsRunning < this.options.maxInFlight) {
      const batch: Pending[] = [];
      for (const pending of this.queued.values()) {
        batch.push(pending);
        this.queued.delete(pending.key);
        this.inFlight.set(pending.key, pending);
        if (batch.length === this.options.maxBatch) break;
      }
      this.requestsRunning++;
      void this.send(batch).finally(() => {
        this.requestsRunning--;
        if (this.queued.size > 0) this.flush();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    this.requestsSent++;
    let results: AuthResult[];
    try {
      results = await this.post(batch.map((pending) => pending.request));
    } catch (error) {
      const failure = DeviceAuthClientErrors.unavailable(error instanceof Error ? error.message : String(error));
      for (const pending of batch) {
        this.inFlight.delete(pending.key);
        for (const waiter of pending.waiters) waiter.reject(failure);
      }
      return;
    }
    const now = this.now();
    batch.forEach((pending, index) => {
      const result = results[index] as AuthResult;
      this.inFlight.delete(pending.key);
      this.cache.set(pending.key, { result, expiresAt: this.expiryOf(result, now), signingKeyId: jwtKeyId(pending.request.password) });
      for (const waiter of pending.waiters) waiter.resolve(result);
    });
  }

  private expiryOf(result: AuthResult, now: number): number {
    if (result.result === 'deny') return now + this.options.denyTtlMs;
    const credentialExpiry = result.principal.kind === 'device' ? result.principal.expiresAt : null;
    return Math.min(now + this.options.allowTtlMs, credentialExpiry ?? Number.POSITIVE_INFINITY);
  }

  private async post(requests: AuthRequest[]): Promise<AuthResult[]> {
    const response = await fetch(`${this.options.controlPlaneUrl}/internal/v1/device-auth`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.internalToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests }),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs)
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as AuthBatchResponse;
    if (!Array.isArray(body.results) || body.results.length !== requests.length) {
      throw new Error(`expected ${requests.length} results, got ${Array.isArray(body.results) ? body.results.length : 'none'}`);
    }
    return body.results;
  }
}

/**
 * Passwords never sit in memory as cache keys: only their SHA-256 does. The client certificate's
 * fingerprint is part of the key, since it can decide the answer whatever the password.
 */
function requestKey(request: AuthRequest): string {
  const password = createHash('sha256').update(request.password).digest('base64url');
  return `${request.clientId}\u0000${request.username ?? ''}\u0000${password}\u0000${request.certificateFingerprint ?? ''}`;
}

function jwtKeyId(password: string): string | null {
  const parts = password.split('.');
  if (parts.length !== 3) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && 'kid' in header && typeof header.kid === 'string' ? header.kid : null;
  } catch {
    return null;
  }
}
