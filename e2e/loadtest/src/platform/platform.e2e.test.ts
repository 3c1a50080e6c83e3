import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKinesisStream, freePort, repoRoot } from '@plexus/engines';
import { testEngines } from '@plexus/test-harness';
import { loadtestPlatformErrors } from './errors.ts';
import { provisionFleet, type ProvisionedFleet } from './fleet-provisioning.ts';
import { checkLoss } from './loss-check.ts';
import { detectRunningPlatform, startPlatform, type PlatformPorts, type StartedPlatform } from './platform-launcher.ts';
import { sampleProcessTree } from './process-usage.ts';

// The platform side of a run against the real thing: `plexus start` on free ports and this test
// run's engines, a fleet provisioned through the bulk API, QoS 1 publishes from a real MQTT client
// (mosquitto_pub), and the loss check reading the data plane's counts.

const run = promisify(execFile);
/** The stream `plexus start` gives the gateway and the data plane. */
const TELEMETRY_STREAM = 'telemetry';
const DEVICES = 1_000;

let scratch: string;
let platform: StartedPlatform;
let fleet: ProvisionedFleet;
let ports: PlatformPorts;
const runStartedAt = Date.now();

async function platformPorts(): Promise<PlatformPorts> {
  const [controlPlane, dataPlane, mqtt, mqttTls, gatewayMetrics] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  return { controlPlane, dataPlane, mqtt, mqttTls, gatewayMetrics };
}

function externalEngines(): Record<string, string> {
  const engines = testEngines();
  return {
    REDIS_URL: engines.redisUrl,
    MONGODB_URI: engines.mongoUri,
    KINESIS_ENDPOINT: engines.kinesisEndpoint,
    // Gateways of other platforms on the same Redis must not take this one's sessions for theirs.
    CLUSTER_NAMESPACE: `loadtest-platform-${randomBytes(4).toString('hex')}`
  };
}

/** QoS 1 publishes of one device; mosquitto_pub exits 0 once every PUBACK has come back. */
async function publish(deviceIndex: number, messages: number): Promise<void> {
  const id = fleet.ids[deviceIndex] as string;
  await run(
    'mosquitto_pub',
    ['-h', '127.0.0.1', '-p', String(ports.mqtt), '-V', 'mqttv5', '-q', '1', '-i', id, '-u', id, '-P', fleet.tokens[deviceIndex] as string, '-t', `devices/${id}/telemetry`, '-m', '{"load":1}', '--repeat', String(messages)],
    { timeout: 20_000 }
  );
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'loadtest-platform-'));
  const env = externalEngines();
  await ensureKinesisStream(env['KINESIS_ENDPOINT'] as string, TELEMETRY_STREAM, 2);
  ports = await platformPorts();
  platform = await startPlatform({ root: repoRoot(), dataDir: join(scratch, 'data'), ports, gatewayWorkers: 2, env });
  fleet = await provisionFleet({ controlPlaneUrl: platform.urls.controlPlane, adminKey: platform.adminKey, runId: `platform-test-${Date.now()}`, devices: DEVICES });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a platform this run starts', () => {
  it('answers on the ports it was given, as a tree of named processes', async () => {
    expect(platform.urls.mqtt).toBe(`mqtt://127.0.0.1:${ports.mqtt}`);
    expect(await detectRunningPlatform(platform.urls)).toBe(true);
    expect(platform.adminKey).toMatch(/^plx_[0-9a-f]{8}_/);
    const names = sampleProcessTree(platform.pid).map((sample) => sample.name);
    // External engines: no redis-server, ferretdb or kinesalite of its own; MQTT_WORKERS reached the gateway.
    expect(names.sort()).toEqual(['control-plane', 'data-plane', 'mqtt-gateway', 'mqtt-gateway worker 1', 'mqtt-gateway worker 2', 'plexus start']);
    expect(platform.pids()).toHaveLength(names.length);
  });

  it('provisions the fleet: ids in order, one distinct token each', () => {
    expect(fleet.ids).toHaveLength(DEVICES);
    expect(fleet.ids.slice(0, 2)).toEqual(['d0000000', 'd0000001']);
    expect(fleet.ids.at(-1)).toBe('d0000999');
    expect(fleet.tokens.filter((token) => typeof token === 'string' && token !== '')).toHaveLength(DEVICES);
    expect(new Set(fleet.tokens).size).toBe(DEVICES);
    expect(fleet.tenantId).toMatch(/^lt-platform-test-\d+$/);
  });

  it('finds nothing lost when nothing was acknowledged', async () => {
    const progress: string[] = [];
    const result = await checkLoss({
      dataPlaneUrl: platform.urls.dataPlane,
      apiKey: fleet.apiKey,
      deviceIds: fleet.ids,
      acked: new Uint32Array(DEVICES),
      from: runStartedAt,
      to: Date.now() + 60_000,
      storeWaitMs: 0,
      onProgress: (line) => progress.push(line)
    });
    expect(result).toEqual({ stored: 0, lost: 0, lostDevices: [], extra: { devices: 0, messages: 0, firstDevices: [] } });
    expect(progress.at(-1)).toBe('1,000/1,000 devices counted, 0 short of their acks');
  });

  it('finds every acknowledged publish stored, waiting for the data plane to catch up', async () => {
    await Promise.all([publish(1, 3), publish(998, 2)]);
    const acked = new Uint32Array(DEVICES);
    acked[1] = 3;
    acked[998] = 2;
    const result = await checkLoss({ dataPlaneUrl: platform.urls.dataPlane, apiKey: fleet.apiKey, deviceIds: fleet.ids, acked, from: runStartedAt, to: Date.now() + 60_000, storeWaitMs: 30_000 });
    expect(result).toEqual({ stored: 5, lost: 0, lostDevices: [], extra: { devices: 0, messages: 0, firstDevices: [] } });
  }, 60_000);

  it('reports devices with fewer stored than acknowledged, and more', async () => {
    // Device 1 stored 3 and device 998 stored 2 above; claim otherwise.
    const acked = new Uint32Array(DEVICES);
    acked[1] = 5;
    acked[998] = 1;
    acked[500] = 4;
    const started = Date.now();
    const result = await checkLoss({ dataPlaneUrl: platform.urls.dataPlane, apiKey: fleet.apiKey, deviceIds: fleet.ids, acked, from: runStartedAt, to: Date.now() + 60_000, storeWaitMs: 2_000 });
    expect(result.stored).toBe(5);
    expect(result.lost).toBe(2 + 4);
    expect(result.lostDevices).toEqual([
      { deviceId: 'd0000001', acked: 5, stored: 3 },
      { deviceId: 'd0000500', acked: 4, stored: 0 }
    ]);
    expect(result.extra).toEqual({ devices: 1, messages: 1, firstDevices: [{ deviceId: 'd0000998', acked: 1, stored: 2 }] });
    // It waited for the short devices before giving up, but not much longer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops every process of the platform', async () => {
    const pids = platform.pids();
    expect(pids.length).toBe(6);
    await platform.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 90_000);
});

describe('a platform that cannot start', () => {
  let blocker: Server;
  afterAll(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it('fails with what the runner printed when it exits during start-up', async () => {
    const taken = await platformPorts();
    // Whatever connects (the readiness polls) is dropped, so closing the blocker waits for nobody.
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(taken.controlPlane, '127.0.0.1', resolve));
    const failure = await startPlatform({ root: repoRoot(), dataDir: join(scratch, 'blocked'), ports: taken, gatewayWorkers: 1, env: externalEngines() }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: loadtestPlatformErrors.platformExited.code });
    expect((failure as Error).message).toContain('CONTROL_PLANE_PORT');
  });
});
