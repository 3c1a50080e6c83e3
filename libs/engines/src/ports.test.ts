import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PlexusError } from '@plexus/errors';
import { assertPortFree, freePort } from './index.ts';

describe('assertPortFree', () => {
  it('passes for a free port and fails with a message that names the way out', async () => {
    const port = await freePort();
    await expect(assertPortFree('127.0.0.1', port, 'Redis', 'REDIS_PORT', 'REDIS_URL')).resolves.toBeUndefined();

    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port }, resolve));
    try {
      const error = await assertPortFree('127.0.0.1', port, 'Redis', 'REDIS_PORT', 'REDIS_URL').catch(
        (caught: unknown) => caught
      );
      expect(error).toBeInstanceOf(PlexusError);
      expect((error as PlexusError).code).toBe('PLX_ENGINE_PORT_IN_USE');
      expect((error as PlexusError).message).toBe(
        `port ${port} for Redis is already in use; set REDIS_PORT to another port or REDIS_URL to use that server`
      );
    } finally {
      holder.close();
    }
  });

  it('omits the external-server hint when there is none', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = holder.address() as { port: number };
    try {
      await expect(assertPortFree('127.0.0.1', port, 'the control plane', 'CONTROL_PLANE_PORT')).rejects.toThrow(
        `port ${port} for the control plane is already in use; set CONTROL_PLANE_PORT to another port`
      );
    } finally {
      holder.close();
    }
  });
});
