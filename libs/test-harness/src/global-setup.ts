import { ensureEphemeralEngines } from '@plexus/engines';
import type { TestProject } from 'vitest/node';
import './provided-context.ts';

/**
 * Vitest globalSetup: one Redis, one MongoDB-wire engine and one Kinesis endpoint (kinesalite)
 * per test run, shared by every test file of the project, unless MONGODB_URI, REDIS_URL and
 * KINESIS_ENDPOINT already name servers (as `./plexus test` does, so a whole-workspace run
 * starts them once, not once per project).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engines = await ensureEphemeralEngines(process.env);
  // Child processes a test spawns (an app under test) find the engines through the environment.
  process.env['MONGODB_URI'] = engines.mongoUri;
  process.env['REDIS_URL'] = engines.redisUrl;
  process.env['KINESIS_ENDPOINT'] = engines.kinesisEndpoint;
  project.provide('plexusMongoUri', engines.mongoUri);
  project.provide('plexusRedisUrl', engines.redisUrl);
  project.provide('plexusKinesisEndpoint', engines.kinesisEndpoint);
  return () => engines.stop();
}
