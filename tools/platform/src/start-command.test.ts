import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, kinesisApiCall } from '@plexus/engines';
import { readPlatformConfig } from './config.ts';
import { gatewayTlsEnv, planServices } from './start-command.ts';

const external = { MONGODB_URI: 'mongodb://db.example/', REDIS_URL: 'redis://cache.example:6379' };
const tls = {
  caCertFile: '/repo/.data/tls/ca.crt',
  caKeyFile: '/repo/.data/tls/ca.key',
  serverCertFile: '/repo/.data/tls/server.crt',
  serverKeyFile: '/repo/.data/tls/server.key',
  created: false
};

describe('planServices', () => {
  it('runs kinesalite on KINESIS_PORT with its data in .data/kinesis, before the apps', () => {
    const plan = planServices(readPlatformConfig({ ...external, KINESIS_PORT: '14567' }, '/repo'), '/repo', 'key', 'token', tls);
    expect(plan.services.map((service) => service.name)).toEqual(['kinesalite', 'control-plane', 'mqtt-gateway', 'data-plane']);
    expect(plan.ports).toContainEqual([14567, 'Kinesis (kinesalite)', 'KINESIS_PORT', 'KINESIS_ENDPOINT']);
    const kinesis = plan.endpoints.find((endpoint) => endpoint.label === 'Kinesis');
    expect(kinesis?.value).toMatch(/^http:\/\/127\.0\.0\.1:14567 .*'telemetry'.*data in \.data\/kinesis\//);
  });

  it('starts kinesalite with the telemetry stream ACTIVE and KINESIS_SHARDS shards (integration)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plexus-platform-'));
    const env = { ...external, KINESIS_PORT: String(await freePort()), KINESIS_SHARDS: '2' };
    const [kinesalite] = planServices(readPlatformConfig(env, root), root, 'key', 'token', tls).services;
    const running = await kinesalite?.start();
    try {
      const summary = await kinesisApiCall<{ StreamDescriptionSummary: { StreamStatus: string; OpenShardCount: number } }>(
        running?.url as string,
        'DescribeStreamSummary',
        { StreamName: 'telemetry' }
      );
      expect(summary.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 2 });
    } finally {
      await running?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('starts no kinesalite when KINESIS_ENDPOINT names one, and prints where it is', () => {
    const plan = planServices(readPlatformConfig({ ...external, KINESIS_ENDPOINT: 'http://kinesis.example:4567' }, '/repo'), '/repo', 'key', 'token', tls);
    expect(plan.services.map((service) => service.name)).toEqual(['control-plane', 'mqtt-gateway', 'data-plane']);
    expect(plan.ports.map(([port]) => port)).toEqual([8080, 1883, 8883, 9100, 8081]);
    expect(plan.endpoints).toContainEqual({ label: 'Kinesis', value: 'http://kinesis.example:4567/  (external, from KINESIS_ENDPOINT)' });
  });

  it('runs the MQTT gateway after the control plane, on MQTT_PORT with metrics on GATEWAY_METRICS_PORT', () => {
    const plan = planServices(readPlatformConfig({ ...external, MQTT_PORT: '11883', GATEWAY_METRICS_PORT: '19100' }, '/repo'), '/repo', 'key', 'token', tls);
    const names = plan.services.map((service) => service.name);
    expect(names.indexOf('mqtt-gateway')).toBeGreaterThan(names.indexOf('control-plane'));
    expect(names.indexOf('data-plane')).toBeGreaterThan(names.indexOf('mqtt-gateway'));
    expect(plan.ports).toContainEqual([8081, 'the data plane', 'DATA_PLANE_PORT']);
    expect(plan.ports).toContainEqual([11883, 'MQTT', 'MQTT_PORT']);
    expect(plan.ports).toContainEqual([19100, 'the gateway metrics', 'GATEWAY_METRICS_PORT']);
    expect(plan.endpoints.find((endpoint) => endpoint.label === 'MQTT')?.value).toMatch(/^mqtt:\/\/127\.0\.0\.1:11883 /);
  });

  it('serves MQTT over TLS on MQTT_TLS_PORT with the development certificates, and says where the CA is', () => {
    const config = readPlatformConfig({ ...external, MQTT_TLS_PORT: '18883' }, '/repo');
    const plan = planServices(config, '/repo', 'key', 'token', tls);
    expect(plan.ports).toContainEqual([18883, 'MQTT over TLS', 'MQTT_TLS_PORT']);
    expect(plan.endpoints.find((endpoint) => endpoint.label === 'MQTT over TLS')?.value).toMatch(/^mqtts:\/\/127\.0\.0\.1:18883 .*trust \.data\/tls\/ca\.crt/);
    expect(gatewayTlsEnv(config, tls)).toEqual({
      MQTT_TLS_PORT: '18883',
      MQTT_TLS_CERT_FILE: '/repo/.data/tls/server.crt',
      MQTT_TLS_KEY_FILE: '/repo/.data/tls/server.key',
      MQTT_TLS_CLIENT_CA_FILE: '/repo/.data/tls/ca.crt'
    });
    expect(() => readPlatformConfig({ ...external, MQTT_TLS_PORT: 'tls' }, '/repo')).toThrow(expect.objectContaining({ code: 'PLX_PLATFORM_BAD_ENV' }));
  });
});
