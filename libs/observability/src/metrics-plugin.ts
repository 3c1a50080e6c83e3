import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface MetricsPluginOptions {
  /** The app's registry; its own metrics are registered on it too. */
  registry: Registry;
}

/** Request latency by route template (not raw URL, which would explode label cardinality) and `/metrics`. */
const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app: FastifyInstance, { registry }) => {
  collectDefaultMetrics({ register: registry, prefix: 'plexus_' });
  const requestDuration = new Histogram({
    name: 'plexus_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry]
  });
  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000
    );
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};

export const metrics = fp(metricsPlugin, { name: 'plexus-metrics' });
export { Registry as MetricsRegistry };
