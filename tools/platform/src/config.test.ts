import { describe, expect, it } from 'vitest';
import { readPlatformConfig, redactUrl } from './config.ts';
import { PlexusError } from '@plexus/errors';

describe('readPlatformConfig', () => {
  it('defaults to the ports in ARCHITECTURE.md and local engines', () => {
    expect(readPlatformConfig({}, '/repo')).toEqual({
      host: '127.0.0.1',
      controlPlanePort: 8080,
      dataPlanePort: 8081,
      redisPort: 6379,
      mongoPort: 27017,
      kinesisPort: 4567,
      mqttPort: 1883,
      mqttTlsPort: 8883,
      gatewayMetricsPort: 9100,
      gatewayWorkers: 1,
      kinesisShards: 4,
      kinesisStream: 'telemetry',
      externalRedisUrl: undefined,
      externalMongoUri: undefined,
      externalKinesisEndpoint: undefined,
      dataDir: '/repo/.data'
    });
  });

  it('takes port overrides and external servers from the environment', () => {
    const config = readPlatformConfig(
      { CONTROL_PLANE_PORT: '9080', REDIS_PORT: '7379', MONGO_PORT: '37017', REDIS_URL: 'redis://cache:6379', MONGODB_URI: 'mongodb://db/' },
      '/repo'
    );
    expect(config).toMatchObject({ controlPlanePort: 9080, redisPort: 7379, mongoPort: 37017 });
    expect(config.externalRedisUrl).toBe('redis://cache:6379');
    expect(config.externalMongoUri).toBe('mongodb://db/');
  });

  it('takes the Kinesis port, shard count and an external endpoint from the environment', () => {
    const config = readPlatformConfig(
      { KINESIS_PORT: '14567', KINESIS_SHARDS: '8', KINESIS_STREAM: 'run-7.telemetry', KINESIS_ENDPOINT: 'https://kinesis.eu-west-1.amazonaws.com' },
      '/repo'
    );
    expect(config).toMatchObject({ kinesisPort: 14567, kinesisShards: 8, kinesisStream: 'run-7.telemetry', externalKinesisEndpoint: 'https://kinesis.eu-west-1.amazonaws.com' });
    expect(() => readPlatformConfig({ KINESIS_STREAM: 'no spaces' }, '/repo')).toThrow(/KINESIS_STREAM must be a Kinesis stream name/);
  });

  it('takes the gateway worker count from MQTT_WORKERS and refuses a bad one', () => {
    expect(readPlatformConfig({ MQTT_WORKERS: '6' }, '/repo').gatewayWorkers).toBe(6);
    expect(() => readPlatformConfig({ MQTT_WORKERS: '0' }, '/repo')).toThrow("MQTT_WORKERS must be a worker count (1-256), got '0'");
  });

  it('keeps its state where PLEXUS_DATA_DIR says, a relative one under the repository', () => {
    expect(readPlatformConfig({ PLEXUS_DATA_DIR: '/tmp/run-7' }, '/repo').dataDir).toBe('/tmp/run-7');
    expect(readPlatformConfig({ PLEXUS_DATA_DIR: 'scratch/data' }, '/repo').dataDir).toBe('/repo/scratch/data');
    expect(readPlatformConfig({ PLEXUS_DATA_DIR: ' ' }, '/repo').dataDir).toBe('/repo/.data');
  });

  it.each([['0'], ['-1'], ['two'], ['1001']])('rejects KINESIS_SHARDS=%s naming the variable', (value) => {
    expect(() => readPlatformConfig({ KINESIS_SHARDS: value }, '/repo')).toThrow(`KINESIS_SHARDS must be a shard count (1-1000), got '${value}'`);
  });

  it('rejects a KINESIS_ENDPOINT that is not an http(s) URL', () => {
    expect(() => readPlatformConfig({ KINESIS_ENDPOINT: 'kinesis.local:4567' }, '/repo')).toThrow(/^KINESIS_ENDPOINT must be a URL starting with http:\/\/ or https:\/\//);
  });

  it.each([['abc'], ['0'], ['70000'], ['80.5']])('rejects CONTROL_PLANE_PORT=%s naming the variable', (value) => {
    const read = () => readPlatformConfig({ CONTROL_PLANE_PORT: value }, '/repo');
    expect(read).toThrow(PlexusError);
    expect(read).toThrow(`CONTROL_PLANE_PORT must be a TCP port (1-65535), got '${value}'`);
  });

  it('rejects a MONGODB_URI that is not a MongoDB URL without echoing its password', () => {
    const read = () => readPlatformConfig({ MONGODB_URI: 'postgres://user:secret@db/x' }, '/repo');
    expect(read).toThrow(/^MONGODB_URI must be a URL starting with mongodb:\/\/ or mongodb\+srv:\/\//);
    expect(read).not.toThrow(/secret/);
  });
});

describe('redactUrl', () => {
  it('hides passwords only', () => {
    expect(redactUrl('mongodb://app:hunter2@db:27017/plexus')).toBe('mongodb://app:***@db:27017/plexus');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
