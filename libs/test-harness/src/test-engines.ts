import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import './provided-context.ts';

export interface TestEngines {
  readonly mongoUri: string;
  readonly redisUrl: string;
  /** A Kinesis API endpoint (kinesalite in a scratch directory unless KINESIS_ENDPOINT was set). */
  readonly kinesisEndpoint: string;
}

/** The engines of this test run, from the harness's globalSetup or else the environment. */
export function testEngines(): TestEngines {
  const mongoUri = inject('plexusMongoUri') ?? process.env['MONGODB_URI'];
  const redisUrl = inject('plexusRedisUrl') ?? process.env['REDIS_URL'];
  const kinesisEndpoint = inject('plexusKinesisEndpoint') ?? process.env['KINESIS_ENDPOINT'];
  if (mongoUri === undefined || redisUrl === undefined || kinesisEndpoint === undefined) {
    throw new Error(
      "no test engines: add globalSetup: ['@plexus/test-harness/global-setup'] to this project's " +
        'vitest.config.ts, or set MONGODB_URI, REDIS_URL and KINESIS_ENDPOINT'
    );
  }
  return { mongoUri, redisUrl, kinesisEndpoint };
}

// FerretDB accepts database names matching /^[a-zA-Z0-9_-]{1,63}$/; MongoDB is laxer.
const MAX_DATABASE_NAME = 63;

/**
 * A database name no other test file (or concurrent run against the same server) will use:
 * `<prefix>_<8 hex>`, with the prefix reduced to characters every engine accepts.
 */
export function uniqueDatabaseName(prefix: string): string {
  const suffix = `_${randomBytes(4).toString('hex')}`;
  const safePrefix = prefix.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_DATABASE_NAME - suffix.length);
  return `${safePrefix === '' ? 'test' : safePrefix}${suffix}`;
}
