import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestCertificates {
  readonly dir: string;
  /** The CA that signs the server certificate and the devices' client certificates. */
  readonly ca: CertificateFiles;
  /** For 127.0.0.1 and localhost. */
  readonly server: CertificateFiles;
  /** A client certificate signed by the CA, for `commonName`. */
  issueClient(commonName: string): CertificateFiles;
  /** A client certificate signed by a CA of its own, which the gateway does not trust. */
  issueForeignClient(commonName: string): CertificateFiles;
  remove(): void;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(file: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

function selfSignedCa(dir: string, name: string): CertificateFiles {
  const files = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  newKey(files.keyFile);
  openssl(['req', '-x509', '-new', '-key', files.keyFile, '-subj', `/CN=${name}`, '-days', '2', '-out', files.certFile]);
  return files;
}

function signedBy(ca: CertificateFiles, dir: string, name: string, extensions: string): CertificateFiles {
  const files = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const extensionsFile = join(dir, `${name}.ext`);
  newKey(files.keyFile);
  writeFileSync(extensionsFile, extensions);
  openssl(['req', '-new', '-key', files.keyFile, '-subj', `/CN=${name}`, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '2', '-extfile', extensionsFile, '-out', files.certFile]);
  return files;
}

/** A throwaway PKI made with the `openssl` CLI in a temporary directory: a CA, a server and clients. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'plexus-tls-'));
  const ca = selfSignedCa(dir, 'test-ca');
  const server = signedBy(ca, dir, 'server', 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const clientExtensions = 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n';
  return {
    dir,
    ca,
    server,
    issueClient: (commonName) => signedBy(ca, dir, commonName, clientExtensions),
    issueForeignClient: (commonName) => signedBy(selfSignedCa(dir, `${commonName}-own-ca`), dir, commonName, clientExtensions),
    remove: () => rmSync(dir, { recursive: true, force: true })
  };
}
