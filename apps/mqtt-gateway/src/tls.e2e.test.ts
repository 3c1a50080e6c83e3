import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestPlatform, type GatewayTestPlatform } from './gateway-test-platform.ts';
import { createTestCertificates, type CertificateFiles, type TestCertificates } from './tls-test-certificates.ts';

// MQTT over TLS end to end: a real TLS listener with a server certificate and a client CA made by
// the openssl CLI, the control plane holding the devices' x509 credentials, real engines.

const run = promisify(execFile);
const BAD_USER_NAME_OR_PASSWORD = 0x86;
const NOT_AUTHORIZED = 0x87;
const ADMINISTRATIVE_ACTION = 0x98;

let certificates: TestCertificates;
let platform: GatewayTestPlatform;
let token = '';
const clients: MqttClient[] = [];

beforeAll(async () => {
  certificates = createTestCertificates();
  platform = await startGatewayTestPlatform('gateway_tls', {
    MQTT_TLS_PORT: '0',
    MQTT_TLS_CERT_FILE: certificates.server.certFile,
    MQTT_TLS_KEY_FILE: certificates.server.keyFile,
    MQTT_TLS_CLIENT_CA_FILE: certificates.ca.certFile
  });
  token = (await platform.registerDevice('meter-1')).token;
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await platform?.stop();
  certificates?.remove();
});

const mqttsUrl = () => `mqtts://127.0.0.1:${platform.gateway.tlsPort}`;

/** Connects over TLS trusting the test CA, with a client certificate when one is given. */
async function connectTls(clientId: string, options: { password?: string; certificate?: CertificateFiles } = {}): Promise<MqttClient> {
  const tls: IClientOptions = {
    ca: readFileSync(certificates.ca.certFile),
    rejectUnauthorized: true,
    ...(options.certificate ? { cert: readFileSync(options.certificate.certFile), key: readFileSync(options.certificate.keyFile) } : {})
  };
  const client = await mqtt.connectAsync(mqttsUrl(), {
    ...tls,
    clientId,
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...(options.password === undefined ? {} : { username: clientId, password: options.password })
  });
  clients.push(client);
  return client;
}

async function registerCertificate(deviceId: string, certificate: CertificateFiles): Promise<{ id: string; fingerprint: string }> {
  return platform.rest('POST', `/v1/devices/${deviceId}/credentials`, platform.registryKey, {
    kind: 'x509',
    certificatePem: readFileSync(certificate.certFile, 'utf8')
  });
}

async function storedFor(deviceId: string): Promise<string[]> {
  return (await platform.storedRecords()).filter((record) => record.deviceId === deviceId).map((record) => Buffer.from(record.payload).toString());
}

describe('MQTT over TLS', () => {
  it('listens on its own port beside plain MQTT and takes a token-authenticated device', async () => {
    expect(platform.gateway.tlsPort).toEqual(expect.any(Number));
    expect(platform.gateway.tlsPort).not.toBe(platform.gateway.mqttPort);
    const meter = await connectTls('meter-1', { password: token });
    await meter.publishAsync('devices/meter-1/telemetry', '{"kwh":1}', { qos: 1 });
    expect(await storedFor('meter-1')).toEqual(['{"kwh":1}']);
  });

  it('lets a device with a registered client certificate in without a password, its tenant found from the certificate', async () => {
    await platform.registerDevice('meter-2');
    const certificate = certificates.issueClient('meter-2');
    await registerCertificate('meter-2', certificate);
    const meter = await connectTls('meter-2', { certificate });
    await meter.publishAsync('devices/meter-2/telemetry', '{"kwh":2}', { qos: 1 });
    const stored = (await platform.storedRecords()).filter((record) => record.deviceId === 'meter-2');
    expect(stored).toEqual([expect.objectContaining({ tenantId: platform.tenantId, deviceId: 'meter-2', topic: 'devices/meter-2/telemetry' })]);
  });

  it('refuses an unregistered certificate signed by the CA, a certificate the CA did not sign, and another device\'s certificate', async () => {
    await expect(connectTls('meter-3', { certificate: certificates.issueClient('meter-3') })).rejects.toMatchObject({ code: BAD_USER_NAME_OR_PASSWORD });

    await platform.registerDevice('meter-4');
    const foreign = certificates.issueForeignClient('meter-4');
    // Registered, even: a certificate counts only when the gateway's CA verified it.
    await registerCertificate('meter-4', foreign);
    await expect(connectTls('meter-4', { certificate: foreign })).rejects.toMatchObject({ code: BAD_USER_NAME_OR_PASSWORD });

    await platform.registerDevice('meter-5');
    const meter5 = certificates.issueClient('meter-5');
    await registerCertificate('meter-5', meter5);
    await expect(connectTls('meter-1', { certificate: meter5, password: token })).rejects.toMatchObject({ code: NOT_AUTHORIZED });
  });

  it('drops a live certificate session when its x509 credential is revoked, and refuses it afterwards', async () => {
    await platform.registerDevice('meter-6');
    const certificate = certificates.issueClient('meter-6');
    const credential = await registerCertificate('meter-6', certificate);
    const meter = await connectTls('meter-6', { certificate });
    const dropped = new Promise<number>((resolve) => meter.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
    await platform.rest('DELETE', `/v1/devices/meter-6/credentials/${credential.id}`, platform.registryKey);
    expect(await dropped).toBe(ADMINISTRATIVE_ACTION);
    await expect(connectTls('meter-6', { certificate })).rejects.toMatchObject({ code: BAD_USER_NAME_OR_PASSWORD });
  });

  it('interoperates with mosquitto_pub presenting a client certificate', async () => {
    await platform.registerDevice('meter-7');
    const certificate = certificates.issueClient('meter-7');
    await registerCertificate('meter-7', certificate);
    const published = await run(
      'mosquitto_pub',
      ['-d', '-h', '127.0.0.1', '-p', String(platform.gateway.tlsPort), '--cafile', certificates.ca.certFile, '--cert', certificate.certFile, '--key', certificate.keyFile, '-V', 'mqttv311', '-i', 'meter-7', '-t', 'devices/meter-7/telemetry', '-q', '1', '-m', '{"kwh":7}'],
      { timeout: 10_000 }
    );
    expect(published.stdout).toMatch(/received PUBACK \(Mid: \d+, RC:0\)/);
    expect(await storedFor('meter-7')).toEqual(['{"kwh":7}']);
  });

  it('counts a failed handshake and stays up', async () => {
    const metrics = async () => (await fetch(`http://127.0.0.1:${platform.gateway.metricsPort}/metrics`)).text();
    const failures = async () => Number(/plexus_gateway_tls_handshake_failures_total (\d+)/.exec(await metrics())?.[1] ?? Number.NaN);
    const before = await failures();
    // Plain MQTT bytes on the TLS port: not a ClientHello, so the server drops the socket.
    const plain = connectTcp(platform.gateway.tlsPort as number, '127.0.0.1');
    plain.on('error', () => undefined);
    plain.write(Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]));
    await new Promise((resolve) => plain.once('close', resolve));
    expect(await failures()).toBe(before + 1);
    const meter = await connectTls('meter-1', { password: token });
    expect(meter.connected).toBe(true);
  });
});
