import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { errorHandler, openApi } from '@plexus/http-api';
import { health, metrics, type MetricsRegistry, type ReadinessCheck } from '@plexus/observability';
import { DataPlaneErrors } from './errors.ts';
import { authentication, type ApiKeyResolver } from './plugins/authentication.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { ruleRoutes, type RuleRouteOptions } from './routes/rules.ts';
import type { DataRouteOptions } from './routes/route-options.ts';
import { shadowRoutes } from './routes/shadow.ts';
import { telemetryRoutes } from './routes/telemetry.ts';

export interface DataPlaneDependencies extends DataRouteOptions, RuleRouteOptions {
  readonly keys: ApiKeyResolver;
  readonly readiness: Record<string, ReadinessCheck>;
  readonly metricsRegistry: MetricsRegistry;
  readonly bodyLimit: number;
  readonly logger: FastifyServerOptions['logger'];
}

export async function buildDataPlane(deps: DataPlaneDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } }
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorHandler, { errors: DataPlaneErrors });
  await app.register(openApi, {
    title: 'Plexus data plane',
    description: 'Telemetry (raw points and rollups), counts, device shadows, dead letters, rules and alerts.'
  });
  await app.register(metrics, { registry: deps.metricsRegistry });
  await app.register(health, { checks: deps.readiness });

  const routeOptions: DataRouteOptions = { timeSeries: deps.timeSeries, shadows: deps.shadows, deadLetters: deps.deadLetters, now: deps.now };
  await app.register(
    async (v1) => {
      await v1.register(authentication, { keys: deps.keys });
      for (const routes of [telemetryRoutes, shadowRoutes, deadLetterRoutes]) await v1.register(routes, routeOptions);
      await v1.register(ruleRoutes, { rules: deps.rules, alerts: deps.alerts });
    },
    { prefix: '/v1' }
  );
  return app;
}
