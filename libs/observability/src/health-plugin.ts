import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export type ReadinessCheck = () => Promise<void>;

export interface HealthPluginOptions {
  /** Named dependencies that must answer before the process takes traffic. */
  checks: Record<string, ReadinessCheck>;
  /** Per-check deadline, so a hung dependency reads as "not ready" rather than a hung probe. */
  timeoutMs?: number;
}

function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz`: the process is alive. `/readyz`: every dependency answered just now. */
const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app: FastifyInstance, { checks, timeoutMs = 2000 }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, timeoutMs);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      })
    );
    const ready = results.every(([, status]) => status === 'ok');
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) };
  });
};

export const health = fp(healthPlugin, { name: 'plexus-health' });
