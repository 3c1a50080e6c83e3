import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { health, loggerOptions, metrics, MetricsRegistry } from './index.ts';

describe('health plugin', () => {
  it('is ready only when every check answers in time', async () => {
    let redisUp = true;
    const app = Fastify();
    await app.register(health, {
      timeoutMs: 50,
      checks: {
        mongo: async () => undefined,
        redis: async () => {
          if (!redisUp) throw new Error('connection refused');
        },
        slow: () => new Promise<void>((resolve) => setTimeout(resolve, 5))
      }
    });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    redisUp = false;
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not-ready', checks: { mongo: 'ok', redis: 'connection refused' } });
    await app.close();
  });
});

describe('metrics plugin', () => {
  it('records request latency by route template', async () => {
    const app = Fastify();
    await app.register(metrics, { registry: new MetricsRegistry() });
    app.get('/things/:id', async () => ({ ok: true }));
    await app.inject('/things/1');
    await app.inject('/things/2');
    const body = (await app.inject('/metrics')).body;
    expect(body).toMatch(/plexus_http_request_duration_seconds_count\{method="GET",route="\/things\/:id",status_code="200"\} 2/);
    expect(body).toContain('plexus_process_resident_memory_bytes');
    await app.close();
  });
});

describe('logger', () => {
  it('redacts credentials', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = pino(loggerOptions('test', 'info'), sink);
    logger.info({ req: { headers: { authorization: 'Bearer plx_secret' } }, body: { password: 'hunter2', token: 'pdt_x' } }, 'hello');
    expect(lines.join('')).not.toMatch(/plx_secret|hunter2|pdt_x/);
  });
});
