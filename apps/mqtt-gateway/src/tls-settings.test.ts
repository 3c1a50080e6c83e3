import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.ts';
import { createTestCertificates, type TestCertificates } from './tls-test-certificates.ts';

let certificates: TestCertificates;
beforeAll(() => {
  certificates = createTestCertificates();
});
afterAll(() => certificates.remove());

const load = (tls: Record<string, string>) => loadGatewayConfig({ PLEXUS_INTERNAL_TOKEN: 'x'.repeat(32), ...tls });

describe('TLS configuration', () => {
  it('is off without a certificate and key, and on port 8883 with them', () => {
    expect(load({}).tls).toBeNull();
    const settings = load({ MQTT_TLS_CERT_FILE: certificates.server.certFile, MQTT_TLS_KEY_FILE: certificates.server.keyFile }).tls;
    expect(settings).toMatchObject({ port: 8883, clientCa: null, handshakeTimeoutMs: 10_000 });
    const withCa = load({ MQTT_TLS_CERT_FILE: certificates.server.certFile, MQTT_TLS_KEY_FILE: certificates.server.keyFile, MQTT_TLS_CLIENT_CA_FILE: certificates.ca.certFile });
    expect(withCa.tls?.clientCa).toBeInstanceOf(Buffer);
  });

  it('stops with a message naming the variable at fault', () => {
    const { server, ca } = certificates;
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ MQTT_TLS_CERT_FILE: server.certFile }, /MQTT_TLS_KEY_FILE must be set/],
      [{ MQTT_TLS_KEY_FILE: server.keyFile }, /MQTT_TLS_CERT_FILE must be set/],
      [{ MQTT_TLS_CLIENT_CA_FILE: ca.certFile }, /MQTT_TLS_CLIENT_CA_FILE is set but TLS is off/],
      [{ MQTT_TLS_CERT_FILE: join(certificates.dir, 'missing.crt'), MQTT_TLS_KEY_FILE: server.keyFile }, /MQTT_TLS_CERT_FILE: cannot read .*missing\.crt \(ENOENT\)/],
      [{ MQTT_TLS_CERT_FILE: server.keyFile, MQTT_TLS_KEY_FILE: server.keyFile }, /MQTT_TLS_CERT_FILE does not hold a PEM certificate/],
      [{ MQTT_TLS_CERT_FILE: server.certFile, MQTT_TLS_KEY_FILE: server.certFile }, /MQTT_TLS_KEY_FILE does not hold a PEM private key/],
      [{ MQTT_TLS_CERT_FILE: server.certFile, MQTT_TLS_KEY_FILE: ca.keyFile }, /MQTT_TLS_KEY_FILE .* is not the private key of the certificate in MQTT_TLS_CERT_FILE/],
      [{ MQTT_TLS_CERT_FILE: server.certFile, MQTT_TLS_KEY_FILE: server.keyFile, MQTT_TLS_CLIENT_CA_FILE: ca.keyFile }, /MQTT_TLS_CLIENT_CA_FILE does not hold a PEM CA certificate/]
    ];
    for (const [variables, message] of refusals) {
      expect(() => load(variables)).toThrow(expect.objectContaining({ code: 'PLX_CONFIG_INVALID', message: expect.stringMatching(message) }));
    }
  });
});
