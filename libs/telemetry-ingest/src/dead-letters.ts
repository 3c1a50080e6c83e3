import { Binary, type Collection, type Db } from 'mongodb';

/** A record that could not be stored, kept with the reason so nothing vanishes silently. */
export interface DeadLetter {
  /** `tenant/device/messageId`, or `undecodable/shard/sequence/sub` when the record had no readable envelope. */
  readonly id: string;
  readonly tenantId: string | null;
  readonly deviceId: string | null;
  readonly messageId: string | null;
  readonly topic: string | null;
  /** A `PLX_INGEST_…` code. */
  readonly code: string;
  readonly reason: string;
  /** Epoch ms the gateway received it, when known. */
  readonly receivedAt: number | null;
  readonly deadLetteredAt: number;
  /** The payload (or raw bytes), cut to `MAX_KEPT_BYTES`. */
  readonly payload: Buffer;
  readonly payloadBytes: number;
}

export const MAX_KEPT_BYTES = 64 * 1024;

export interface DeadLetterStore {
  /** Idempotent on `id`: a replayed batch writes the same letters again, not new ones. */
  write(letters: readonly DeadLetter[]): Promise<void>;
  /** A tenant's letters, by id; `after` is the last id of the previous page. */
  list(tenantId: string, limit: number, after?: string): Promise<DeadLetter[]>;
}

interface DeadLetterDocument extends Omit<DeadLetter, 'id'> {
  _id: string;
}

/** Dead letters in MongoDB (`dead_letters`), keyed so a tenant's letters are one `_id` range. */
export class MongoDeadLetterStore implements DeadLetterStore {
  private readonly collection: Collection<DeadLetterDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DeadLetterDocument>('dead_letters');
  }

  async write(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.collection.bulkWrite(
      letters.map(({ id, ...letter }) => ({ replaceOne: { filter: { _id: id }, replacement: letter, upsert: true } })),
      { ordered: false }
    );
  }

  async list(tenantId: string, limit: number, after?: string): Promise<DeadLetter[]> {
    const range = { $gt: after ?? `${tenantId}/`, $lt: `${tenantId}0` };
    const docs = await this.collection.find({ _id: range }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...letter }) => ({ id: _id, ...letter, payload: asBuffer(letter.payload) }));
  }
}

/** The driver reads binary fields back as BSON Binary. */
function asBuffer(value: unknown): Buffer {
  if (value instanceof Binary) return Buffer.from(value.buffer);
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
}
