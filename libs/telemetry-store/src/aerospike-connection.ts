import Aerospike from 'aerospike';
import type { Client, Key } from 'aerospike';

export const DEFAULT_AEROSPIKE_NAMESPACE = 'plexus';
const COMMAND_TIMEOUT_MS = 10_000;

export interface AerospikeStoreOptions {
  /** Seed nodes as `host:port[,host:port]`, the form of AEROSPIKE_HOSTS. */
  readonly hosts: string;
  /** AEROSPIKE_NAMESPACE; `plexus` when unset. */
  readonly namespace?: string;
}

/** Each store owns its client, so closing one store never cuts off another. */
export function connectAerospike(options: AerospikeStoreOptions): Promise<Client> {
  // The client's default of 1 s per command fails writes whenever a busy host stalls the server
  // briefly; the caller (a stream consumer) would rather wait than redo the whole batch.
  const patient = { totalTimeout: COMMAND_TIMEOUT_MS };
  return Aerospike.connect({
    hosts: options.hosts,
    log: { level: Aerospike.log.OFF },
    policies: { read: patient, write: patient, operate: patient, batch: patient, batchParentWrite: patient, remove: patient },
    // A batch of writes fans out to one command per record; the default cap of 100 sockets per
    // node turns a large batch into ERR_NO_MORE_CONNECTIONS instead of a short queue.
    maxConnsPerNode: 300
  });
}

/**
 * Record keys are the JSON of their parts: unambiguous whatever characters tenant and device
 * ids contain. The server keeps only the digest, so the length costs nothing per record.
 */
export function recordKey(namespace: string, set: string, parts: readonly (string | number)[]): Key {
  return new Aerospike.Key(namespace, set, JSON.stringify(parts));
}

export function hasStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === status;
}

export const aerospikeStatus = {
  recordNotFound: Aerospike.status.ERR_RECORD_NOT_FOUND,
  generationMismatch: Aerospike.status.ERR_RECORD_GENERATION,
  recordExists: Aerospike.status.ERR_RECORD_EXISTS,
  filteredOut: Aerospike.status.FILTERED_OUT
} as const;

/**
 * Seconds from `now` until `expiresAt`, at least 1: a TTL of 0 would mean "the namespace default"
 * (never, in ours), the opposite of "expires now".
 */
export function ttlUntil(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}
