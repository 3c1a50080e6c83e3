import { createServer } from 'node:net';
import { engineErrors } from './errors.ts';

/**
 * Fails with PLX_ENGINE_PORT_IN_USE when something already listens on host:port. `envVar` names
 * the variable that moves the port; `externalVar` (optional) the one that points at an existing
 * server instead, so the message tells the user both ways out.
 */
export async function assertPortFree(
  host: string,
  port: number,
  what: string,
  envVar: string,
  externalVar?: string
): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const external = externalVar === undefined ? '' : ` or ${externalVar} to use that server`;
      throw engineErrors.portInUse(port, what, `set ${envVar} to another port${external}`);
    }
    throw error;
  } finally {
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }
}

/** A port the OS reports free right now on `host` (default 127.0.0.1). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`no TCP address bound on ${host}`);
  return address.port;
}
