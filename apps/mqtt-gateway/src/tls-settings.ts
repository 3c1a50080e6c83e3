import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigErrors } from '@plexus/config';

/** The TLS variables of the gateway's configuration, as validated by its schema. */
export interface TlsVariables {
  readonly MQTT_TLS_PORT: number;
  readonly MQTT_TLS_CERT_FILE?: string | undefined;
  readonly MQTT_TLS_KEY_FILE?: string | undefined;
  readonly MQTT_TLS_CLIENT_CA_FILE?: string | undefined;
  readonly MQTT_TLS_HANDSHAKE_TIMEOUT_MS: number;
}

export interface TlsSettings {
  readonly port: number;
  readonly handshakeTimeoutMs: number;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Set when devices may authenticate with client certificates issued by this CA. */
  readonly clientCa: Buffer | null;
}

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw ConfigErrors.invalid(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function parsed<T>(variable: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw ConfigErrors.invalid(`${variable} does not hold ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * TLS is on when both the certificate and its key are configured. Files are read and checked
 * here, at start, so that a wrong path or a key of another certificate stops the process with
 * the variable's name instead of failing the first handshake.
 */
export function readTlsSettings(variables: TlsVariables): TlsSettings | null {
  const { MQTT_TLS_CERT_FILE: certFile, MQTT_TLS_KEY_FILE: keyFile, MQTT_TLS_CLIENT_CA_FILE: caFile } = variables;
  if (certFile === undefined && keyFile === undefined) {
    if (caFile !== undefined) throw ConfigErrors.invalid('MQTT_TLS_CLIENT_CA_FILE is set but TLS is off: set MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE too');
    return null;
  }
  if (certFile === undefined) throw ConfigErrors.invalid('MQTT_TLS_CERT_FILE must be set together with MQTT_TLS_KEY_FILE');
  if (keyFile === undefined) throw ConfigErrors.invalid('MQTT_TLS_KEY_FILE must be set together with MQTT_TLS_CERT_FILE');

  const cert = readPem('MQTT_TLS_CERT_FILE', certFile);
  const key = readPem('MQTT_TLS_KEY_FILE', keyFile);
  const certificate = parsed('MQTT_TLS_CERT_FILE', 'a PEM certificate', () => new X509Certificate(cert));
  const privateKey = parsed('MQTT_TLS_KEY_FILE', 'a PEM private key', () => createPrivateKey(key));
  if (!certificate.checkPrivateKey(privateKey)) {
    throw ConfigErrors.invalid(`MQTT_TLS_KEY_FILE (${keyFile}) is not the private key of the certificate in MQTT_TLS_CERT_FILE (${certFile})`);
  }
  let clientCa: Buffer | null = null;
  if (caFile !== undefined) {
    clientCa = readPem('MQTT_TLS_CLIENT_CA_FILE', caFile);
    parsed('MQTT_TLS_CLIENT_CA_FILE', 'a PEM CA certificate', () => new X509Certificate(clientCa as Buffer));
  }
  // Whatever else OpenSSL refuses (a chain it cannot load) is found now too, not at the first handshake.
  parsed('MQTT_TLS_CERT_FILE', 'a certificate chain OpenSSL accepts', () => createSecureContext({ cert, key, ...(clientCa ? { ca: clientCa } : {}) }));
  return { port: variables.MQTT_TLS_PORT, handshakeTimeoutMs: variables.MQTT_TLS_HANDSHAKE_TIMEOUT_MS, cert, key, clientCa };
}
