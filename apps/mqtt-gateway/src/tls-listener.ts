import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@plexus/observability';
import type { TlsSettings } from './tls-settings.ts';

export interface TlsListener {
  readonly port: number;
  /** Stops accepting; open connections end with their sessions. */
  close(): void;
}

/**
 * MQTT over TLS beside the plain listener: every completed handshake feeds `accept`, the same
 * path as a TCP connection. With a client CA the server asks for a certificate but admits
 * connections without one or with one it cannot verify (`rejectUnauthorized: false`), so devices
 * without certificates keep token authentication over TLS; CONNECT decides who is let in, using
 * the certificate only when `socket.authorized`.
 */
export async function startTlsListener(
  settings: TlsSettings | null,
  host: string,
  log: Logger,
  metrics: Registry,
  accept: (socket: TLSSocket) => void
): Promise<TlsListener | null> {
  if (!settings) return null;
  const handshakeFailures = new Counter({
    name: 'plexus_gateway_tls_handshake_failures_total',
    help: 'TLS handshakes that failed or timed out before MQTT began',
    registers: [metrics]
  });
  const verifiesClients = settings.clientCa !== null;
  const server = createServer(
    {
      cert: settings.cert,
      key: settings.key,
      ...(settings.clientCa ? { ca: settings.clientCa } : {}),
      requestCert: verifiesClients,
      rejectUnauthorized: false,
      handshakeTimeout: settings.handshakeTimeoutMs
    },
    accept
  );
  // A failed handshake is the client's problem: count it and drop the socket, never the process.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    handshakeFailures.inc();
    log.debug({ err: error, code: error.code, remote: socket.remoteAddress }, 'TLS handshake failed');
    socket.destroy();
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${settings.port} for MQTT over TLS is already in use; set MQTT_TLS_PORT to another port`) : error)
    );
    // reusePort and exclusive, like the TCP listener: each worker process of a host binds the port.
    server.listen({ port: settings.port, host, reusePort: true, exclusive: true }, () => resolve((server.address() as AddressInfo).port));
  });
  log.info({ tlsPort: port, clientCertificates: verifiesClients }, 'MQTT over TLS listening');
  return { port, close: () => void server.close() };
}
