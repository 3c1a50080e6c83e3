import Aerospike from 'aerospike';
import type { Client, Key } from 'aerospike';
import { aerospikeStatus, connectAerospike, DEFAULT_AEROSPIKE_NAMESPACE, hasStatus, recordKey } from './aerospike-connection.ts';
import type { AerospikeStoreOptions } from './aerospike-connection.ts';
import type { DeviceShadow, ShadowChange, ShadowStore } from './shadow-store.ts';
import { applyShadowChange } from './shadow-update.ts';

const SHADOWS_SET = 'shadows';
/**
 * The shadow as JSON text: a document round-trips exactly (booleans, nulls in arrays, 1 vs 1.0),
 * where a CDT map would hand back the client's reading of it.
 */
const DOCUMENT_BIN = 'doc';

type StoredShadow = Omit<DeviceShadow, 'tenantId' | 'deviceId'>;

/**
 * ShadowStore on Aerospike: one record per device, written only under a generation
 * check-and-set (gen EQ, or CREATE when there is none), so a concurrent update makes the loser
 * re-read and re-apply its change. The port's `version` is a bin of its own: the record's
 * generation wraps at 65 535 and restarts after a delete, so it only guards the write.
 */
export class AerospikeShadowStore implements ShadowStore {
  readonly #client: Client;
  readonly #namespace: string;

  private constructor(client: Client, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  static async connect(options: AerospikeStoreOptions): Promise<AerospikeShadowStore> {
    return new AerospikeShadowStore(await connectAerospike(options), options.namespace ?? DEFAULT_AEROSPIKE_NAMESPACE);
  }

  async get(tenantId: string, deviceId: string): Promise<DeviceShadow | null> {
    return (await this.#read(tenantId, deviceId))?.shadow ?? null;
  }

  async update(tenantId: string, deviceId: string, change: ShadowChange, at: number, expectedVersion?: number): Promise<DeviceShadow> {
    const key = this.#key(tenantId, deviceId);
    for (;;) {
      const current = await this.#read(tenantId, deviceId);
      const next = applyShadowChange(tenantId, deviceId, current?.shadow ?? null, change, at, expectedVersion);
      if (current && next === current.shadow) return next;
      const stored: StoredShadow = {
        desired: next.desired,
        reported: next.reported,
        delta: next.delta,
        metadata: next.metadata,
        version: next.version,
        updatedAt: next.updatedAt
      };
      const policy = new Aerospike.WritePolicy(
        current
          ? { gen: Aerospike.policy.gen.EQ, exists: Aerospike.policy.exists.UPDATE }
          : { exists: Aerospike.policy.exists.CREATE }
      );
      try {
        await this.#client.put(key, { [DOCUMENT_BIN]: JSON.stringify(stored) }, { ttl: Aerospike.ttl.NEVER_EXPIRE, gen: current?.generation ?? 0 }, policy);
        return next;
      } catch (error) {
        if (!hasStatus(error, aerospikeStatus.generationMismatch) && !hasStatus(error, aerospikeStatus.recordExists)) throw error;
      }
    }
  }

  async delete(tenantId: string, deviceId: string): Promise<void> {
    try {
      await this.#client.remove(this.#key(tenantId, deviceId));
    } catch (error) {
      if (!hasStatus(error, aerospikeStatus.recordNotFound)) throw error;
    }
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  async #read(tenantId: string, deviceId: string): Promise<{ shadow: DeviceShadow; generation: number } | null> {
    try {
      const record = await this.#client.get(this.#key(tenantId, deviceId));
      const stored = JSON.parse((record.bins as Record<string, string>)[DOCUMENT_BIN] as string) as StoredShadow;
      return { shadow: { tenantId, deviceId, ...stored }, generation: record.gen };
    } catch (error) {
      if (hasStatus(error, aerospikeStatus.recordNotFound)) return null;
      throw error;
    }
  }

  #key(tenantId: string, deviceId: string): Key {
    return recordKey(this.#namespace, SHADOWS_SET, [tenantId, deviceId]);
  }
}
