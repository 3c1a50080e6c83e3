import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformErrors } from './errors.ts';

/** The development PKI of `./plexus start`: a CA, and a server certificate it signed for the loopback gateway. */
export interface DevelopmentTls {
  readonly caCertFile: string;
  /** Kept so that developers can sign device client certificates with it. */
  readonly caKeyFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly created: boolean;
}

const CA_DAYS = 3650;
const SERVER_DAYS = 825;

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === 'ENOENT') throw platformErrors.opensslMissing();
    throw platformErrors.tlsGenerationFailed(`openssl ${args[0]}`, failure.stderr?.toString().trim() || failure.message);
  }
}

/**
 * Returns the files under `dir`, generating them with the `openssl` CLI on first use only, so a
 * device that trusts the CA keeps trusting the gateway across restarts. Private keys are 0600.
 * Everything is written under a temporary name and moved into place last: an interrupted first
 * start leaves no half-made PKI to be mistaken for a whole one.
 */
export function ensureDevelopmentTls(dir: string): DevelopmentTls {
  const files = {
    caCertFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key')
  };
  if (Object.values(files).every((file) => existsSync(file))) return { ...files, created: false };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const work = join(dir, `.partial-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { mode: 0o700 });
  try {
    writeFileSync(join(work, 'server.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], work);
    openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/O=Plexus/CN=Plexus development CA', '-days', String(CA_DAYS), '-out', 'ca.crt'], work);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'server.key'], work);
    openssl(['req', '-new', '-key', 'server.key', '-subj', '/O=Plexus/CN=localhost', '-out', 'server.csr'], work);
    openssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(SERVER_DAYS), '-extfile', 'server.ext', '-out', 'server.crt'],
      work
    );
    for (const key of ['ca.key', 'server.key']) chmodSync(join(work, key), 0o600);
    // Keys first, the CA certificate last: the existence check above looks for all four.
    for (const name of ['ca.key', 'server.key', 'server.crt', 'ca.crt']) renameSync(join(work, name), join(dir, name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { ...files, created: true };
}
