import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@plexus/engines';
import { loadtestPlatformErrors } from './errors.ts';
import { adminKeyOfRunningPlatform, detectRunningPlatform, gatewayWorkersFor, platformReadiness, platformUrls, portsFromEnv } from './platform-launcher.ts';

describe('gatewayWorkersFor', () => {
  it('gives each worker at most 19,000 connections, within the runner’s 1-256', () => {
    expect(gatewayWorkersFor(0)).toBe(1);
    expect(gatewayWorkersFor(19_000)).toBe(1);
    expect(gatewayWorkersFor(19_001)).toBe(2);
    expect(gatewayWorkersFor(1_000_000)).toBe(53);
    expect(gatewayWorkersFor(100_000_000)).toBe(256);
  });
});

describe('platformUrls', () => {
  it('defaults to the ports of ARCHITECTURE.md and takes overrides', () => {
    expect(platformUrls()).toEqual({
      controlPlane: 'http://127.0.0.1:8080',
      dataPlane: 'http://127.0.0.1:8081',
      gatewayMetrics: 'http://127.0.0.1:9100',
      mqtt: 'mqtt://127.0.0.1:1883'
    });
    expect(platformUrls({ mqtt: 11883, dataPlane: 18081 })).toMatchObject({ dataPlane: 'http://127.0.0.1:18081', mqtt: 'mqtt://127.0.0.1:11883' });
  });
});

describe('portsFromEnv', () => {
  it('reads the runner’s port variables, leaving malformed ones to the runner', () => {
    expect(portsFromEnv({ CONTROL_PLANE_PORT: '18080', MQTT_PORT: '11883', DATA_PLANE_PORT: 'eighty', PATH: '/bin' })).toEqual({ controlPlane: 18_080, mqtt: 11_883 });
  });
});

describe('detectRunningPlatform', () => {
  it('is false, naming the refused connection, when nothing listens', async () => {
    const urls = platformUrls({ controlPlane: await freePort(), dataPlane: await freePort(), gatewayMetrics: await freePort() });
    expect(await detectRunningPlatform(urls)).toBe(false);
    expect((await platformReadiness(urls)).map((answer) => [answer.name, answer.ready, answer.problem])).toEqual([
      ['control plane', false, 'ECONNREFUSED'],
      ['data plane', false, 'ECONNREFUSED'],
      ['mqtt gateway', false, 'ECONNREFUSED']
    ]);
  });
});

describe('adminKeyOfRunningPlatform', () => {
  const root = mkdtempSync(join(tmpdir(), 'loadtest-admin-key-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes PLEXUS_ADMIN_KEY first, else the bootstrap key in the data directory', () => {
    mkdirSync(join(root, '.data'));
    writeFileSync(join(root, '.data', 'bootstrap-admin-key'), 'plx_00000001_default\n');
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'bootstrap-admin-key'), 'plx_00000002_moved\n');
    expect(adminKeyOfRunningPlatform(root, { PLEXUS_ADMIN_KEY: 'plx_00000003_given' })).toBe('plx_00000003_given');
    expect(adminKeyOfRunningPlatform(root, {})).toBe('plx_00000001_default');
    expect(adminKeyOfRunningPlatform(root, { PLEXUS_DATA_DIR: 'elsewhere' })).toBe('plx_00000002_moved');
    expect(adminKeyOfRunningPlatform('/nowhere', { PLEXUS_DATA_DIR: join(root, 'elsewhere') })).toBe('plx_00000002_moved');
  });

  it('says what to set when there is no key', () => {
    expect(() => adminKeyOfRunningPlatform(join(root, 'missing'), {})).toThrow(expect.objectContaining({ code: loadtestPlatformErrors.adminKeyMissing.code }));
  });
});
