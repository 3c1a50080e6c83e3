import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { errorHandler, openApi } from '@plexus/http-api';
import { health, metrics, type MetricsRegistry, type ReadinessCheck } from '@plexus/observability';
import type { RegistryContext } from '@plexus/registry';
import { ControlPlaneErrors } from './errors.ts';
import { createControlPlaneMetrics } from './metrics.ts';
import { authentication } from './plugins/authentication.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { claimTokenRoutes } from './routes/claim-tokens.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { deviceBulkRoutes } from './routes/device-bulk.ts';
import { deviceTypeRoutes } from './routes/device-types.ts';
import { deviceRoutes } from './routes/devices.ts';
import { groupRoutes } from './routes/groups.ts';
import { internalRoutes } from './routes/internal.ts';
import { provisioningRoutes } from './routes/provisioning.ts';
import { signingKeyRoutes } from './routes/signing-keys.ts';
import { tenantRoutes } from './routes/tenants.ts';

export interface ControlPlaneDependencies {
  registry: RegistryContext;
  readiness: Record<string, ReadinessCheck>;
  metricsRegistry: MetricsRegistry;
  /** Enables `/internal/v1/*` for MQTT gateways; absent, those routes do not exist. */
  internalToken?: string | undefined;
  bodyLimit: number;
  logger: FastifyServerOptions['logger'];
}

export async function buildControlPlane(deps: ControlPlaneDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit,
    // Query strings arrive as text: coerce to the schema's types, and a lone `?tag=x` to an array.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } }
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorHandler, { errors: ControlPlaneErrors });
  await app.register(openApi, {
    title: 'Plexus control plane',
    description: 'Tenants, API keys, device types, devices, credentials, groups and provisioning.'
  });
  await app.register(metrics, { registry: deps.metricsRegistry });
  await app.register(health, { checks: deps.readiness });

  const registry = deps.registry;
  const domainMetrics = createControlPlaneMetrics(deps.metricsRegistry);
  await app.register(
    async (v1) => {
      await v1.register(provisioningRoutes, { registry, metrics: domainMetrics });
      await v1.register(async (authenticated) => {
        await authenticated.register(authentication, { registry });
        for (const routes of [
          tenantRoutes,
          apiKeyRoutes,
          deviceTypeRoutes,
          deviceRoutes,
          deviceBulkRoutes,
          credentialRoutes,
          groupRoutes,
          claimTokenRoutes,
          signingKeyRoutes
        ]) {
          await authenticated.register(routes, { registry, metrics: domainMetrics });
        }
      });
    },
    { prefix: '/v1' }
  );
  if (deps.internalToken) {
    await app.register(internalRoutes, { prefix: '/internal/v1', registry, metrics: domainMetrics, internalToken: deps.internalToken });
  }
  return app;
}
