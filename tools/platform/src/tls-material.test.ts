import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevelopmentTls } from './tls-material.ts';

const root = mkdtempSync(join(tmpdir(), 'plexus-tls-material-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('development TLS material', () => {
  it('is made once, keeps its private keys 0600, and is reused on later starts', () => {
    const dir = join(root, 'once');
    const first = ensureDevelopmentTls(dir);
    expect(first.created).toBe(true);
    for (const key of [first.caKeyFile, first.serverKeyFile]) expect(statSync(key).mode & 0o777).toBe(0o600);
    const certificate = readFileSync(first.serverCertFile, 'utf8');
    const again = ensureDevelopmentTls(dir);
    expect(again).toEqual({ ...first, created: false });
    expect(readFileSync(again.serverCertFile, 'utf8')).toBe(certificate);
  });

  it('gives a server certificate for 127.0.0.1 and localhost, signed by the CA, that a client trusting the CA accepts', async () => {
    const material = ensureDevelopmentTls(join(root, 'handshake'));
    const ca = new X509Certificate(readFileSync(material.caCertFile));
    const server = new X509Certificate(readFileSync(material.serverCertFile));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');

    const listener = createServer({ cert: readFileSync(material.serverCertFile), key: readFileSync(material.serverKeyFile) }, (socket) => socket.end());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect({ host: '127.0.0.1', port: (listener.address() as AddressInfo).port, ca: readFileSync(material.caCertFile) });
      const authorized = await new Promise<boolean>((resolve, reject) => {
        socket.once('secureConnect', () => resolve(socket.authorized));
        socket.once('error', reject);
      });
      socket.destroy();
      expect(authorized).toBe(true);
    } finally {
      listener.close();
    }
  });
});
