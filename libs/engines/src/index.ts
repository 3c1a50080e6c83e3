export { describeExit, type EngineExit, type EngineHandle } from './engine-process.ts';
export { EngineError } from './errors.ts';
export { detectMongoWireEngine, startMongoWire, type MongoWireEngine } from './mongo-wire.ts';
export { mongoWirePing } from './mongo-wire-ping.ts';
export { assertPortFree, freePort } from './ports.ts';
export { startRedis } from './redis.ts';
export { redisPing } from './redis-ping.ts';
export { repoRoot } from './repo-root.ts';
export type { EngineStartOptions } from './start-options.ts';
