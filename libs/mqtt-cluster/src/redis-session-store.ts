import type { Redis } from 'ioredis';
import type { QueuedMessage, SessionStore, StoredSession, TakenQueue } from '@plexus/mqtt-gateway-core';
import { clusterKeysFor, type ClusterKeys } from './cluster-keys.ts';

// Persistent sessions in Redis, so a client resumes its session on whichever gateway node the
// kernel or the load balancer hands its next connection to. A queued message is a 4-byte header
// length, a JSON header and the payload bytes.

// Appends only while the session exists, trims to the bound from the oldest end, counts drops.
const ENQUEUE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local length = redis.call('RPUSH', KEYS[2], ARGV[1])
local excess = length - tonumber(ARGV[2])
if excess <= 0 then return 0 end
redis.call('LTRIM', KEYS[2], excess, -1)
redis.call('INCRBY', KEYS[3], excess)
return excess`;

interface QueuedHeader {
  topic: string;
  qos: 1 | 2;
  retain: boolean;
  subscriptionIdentifiers: number[];
  packetId?: number;
  released?: boolean;
}

function encodeQueued(message: QueuedMessage): Buffer {
  const header: QueuedHeader = { topic: message.topic, qos: message.qos, retain: message.retain, subscriptionIdentifiers: [...message.subscriptionIdentifiers] };
  if (message.packetId !== undefined) header.packetId = message.packetId;
  if (message.released !== undefined) header.released = message.released;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([length, json, message.payload]);
}

function decodeQueued(frame: Buffer): QueuedMessage {
  const headerEnd = 4 + frame.readUInt32BE(0);
  const header = JSON.parse(frame.toString('utf8', 4, headerEnd)) as QueuedHeader;
  return { ...header, payload: Buffer.from(frame.subarray(headerEnd)) };
}

export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;

  /** `namespace`: the gateways' CLUSTER_NAMESPACE. */
  constructor(redis: Redis, namespace?: string) {
    this.redis = redis;
    this.keys = clusterKeysFor(namespace);
    redis.defineCommand('plexusEnqueue', { numberOfKeys: 3, lua: ENQUEUE });
  }

  async load(tenantId: string, clientId: string): Promise<StoredSession | null> {
    const text = await this.redis.get(this.keys.session(tenantId, clientId));
    return text === null ? null : (JSON.parse(text) as StoredSession);
  }

  async save(tenantId: string, clientId: string, session: StoredSession): Promise<void> {
    await this.redis.set(this.keys.session(tenantId, clientId), JSON.stringify(session));
  }

  async enqueue(tenantId: string, clientId: string, message: QueuedMessage, maxMessages: number): Promise<number> {
    return (this.redis as unknown as EnqueueCommand).plexusEnqueue(
      this.keys.session(tenantId, clientId),
      this.keys.sessionQueue(tenantId, clientId),
      this.keys.sessionQueueDropped(tenantId, clientId),
      encodeQueued(message),
      String(maxMessages)
    );
  }

  async takeQueue(tenantId: string, clientId: string): Promise<TakenQueue> {
    const queue = this.keys.sessionQueue(tenantId, clientId);
    const dropped = this.keys.sessionQueueDropped(tenantId, clientId);
    const results = await this.redis.multi().lrangeBuffer(queue, 0, -1).del(queue).getdel(dropped).exec();
    if (results === null) throw new Error('Redis discarded the queue transaction');
    const [[rangeError, frames], , [droppedError, droppedCount]] = results as [[Error | null, Buffer[]], unknown, [Error | null, string | null]];
    if (rangeError) throw rangeError;
    if (droppedError) throw droppedError;
    return { messages: frames.map(decodeQueued), dropped: droppedCount === null ? 0 : Number(droppedCount) };
  }

  async delete(tenantId: string, clientId: string): Promise<void> {
    await this.redis.del(this.keys.session(tenantId, clientId), this.keys.sessionQueue(tenantId, clientId), this.keys.sessionQueueDropped(tenantId, clientId));
  }
}

interface EnqueueCommand {
  plexusEnqueue(session: string, queue: string, dropped: string, frame: Buffer, maxMessages: string): Promise<number>;
}
