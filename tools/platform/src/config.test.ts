import { describe, expect, it } from 'vitest';
import { readPlatformConfig, redactUrl } from './config.ts';
import { PlexusError } from '@plexus/errors';

describe('readPlatformConfig', () => {
  it('defaults to the ports in ARCHITECTURE.md and local engines', () => {
    expect(readPlatformConfig({}, '/repo')).toEqual({
      host: '127.0.0.1',
      controlPlanePort: 8080,
      redisPort: 6379,
      mongoPort: 27017,
      externalRedisUrl: undefined,
      externalMongoUri: undefined,
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
