import type { ApiKeyPrincipal, ApiKeyPrincipalsResponse, DeviceProfile, DeviceProfilesResponse, RevocationEvent } from '@plexus/contracts';
import { BatchedLookup } from './batched-lookup.ts';
import { DeviceAuthClientErrors } from './errors.ts';

export interface ControlPlaneLookupsOptions {
  readonly controlPlaneUrl: string;
  readonly internalToken: string;
  /** How long an answer is reused; revocations drop answers at once. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

const SEPARATOR = '\u0000';

/**
 * What another plane asks the control plane about API keys and devices, cached and batched: a
 * request storm or a stream batch of a thousand devices costs one call, and a revocation event
 * (subscribe with `subscribeToRevocations`-style wiring through `revoke`) drops what it affects.
 */
export class ControlPlaneLookups {
  private readonly options: ControlPlaneLookupsOptions;
  private readonly keys: BatchedLookup<ApiKeyPrincipal | null>;
  private readonly devices: BatchedLookup<DeviceProfile>;

  constructor(options: ControlPlaneLookupsOptions) {
    this.options = options;
    const cache = { ttlMs: options.ttlMs ?? 60_000, maxEntries: options.maxEntries ?? 200_000, lingerMs: 2, ...(options.now ? { now: options.now } : {}) };
    this.keys = new BatchedLookup(async (keys) => (await this.post<ApiKeyPrincipalsResponse>('/internal/v1/api-key-principals', { keys })).principals, {
      ...cache,
      maxBatch: 100
    });
    this.devices = new BatchedLookup(
      async (refs) => {
        const devices = refs.map((ref) => {
          const [tenantId, deviceId] = ref.split(SEPARATOR) as [string, string];
          return { tenantId, deviceId };
        });
        return (await this.post<DeviceProfilesResponse>('/internal/v1/device-profiles', { devices })).profiles;
      },
      { ...cache, maxBatch: 1000 }
    );
  }

  get stats(): { cacheHits: number; requests: number } {
    return { cacheHits: this.keys.hits + this.devices.hits, requests: this.keys.calls + this.devices.calls };
  }

  /** The key's principal, or null when it is unknown, revoked or malformed. */
  apiKeyPrincipal(key: string): Promise<ApiKeyPrincipal | null> {
    return this.keys.get(key);
  }

  deviceProfile(tenantId: string, deviceId: string): Promise<DeviceProfile> {
    return this.devices.get(`${tenantId}${SEPARATOR}${deviceId}`);
  }

  revoke(event: RevocationEvent): void {
    switch (event.kind) {
      case 'device':
        this.devices.forget((key) => key === `${event.tenantId}${SEPARATOR}${event.deviceId}`);
        return;
      case 'tenant':
        this.keys.forget((_key, principal) => principal?.tenantId === event.tenantId);
        this.devices.forget((key) => key.startsWith(`${event.tenantId}${SEPARATOR}`));
        return;
      case 'api-key':
        this.keys.forget((_key, principal) => principal?.keyId === event.keyId);
        return;
      case 'signing-key':
        return;
    }
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.options.controlPlaneUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.internalToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000)
      });
    } catch (error) {
      throw DeviceAuthClientErrors.unavailable(error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) throw DeviceAuthClientErrors.unavailable(`HTTP ${response.status} from ${path}`);
    return (await response.json()) as T;
  }
}
