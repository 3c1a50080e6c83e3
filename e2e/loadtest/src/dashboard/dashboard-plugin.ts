import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RunSnapshot } from '../contracts/report.ts';
import { dashboardFiles } from './dashboard-assets.ts';
import { dashboardErrors } from './errors.ts';

export interface DashboardOptions {
  /** The run as it is now; called on every `GET /api/run`. */
  snapshot: () => RunSnapshot;
}

/**
 * The live dashboard: the page at `/`, its scripts and styles under `/assets/`, and the run
 * snapshot it polls at `/api/run`. The page asks for both by relative URL, so it also works when
 * this plugin is registered under a prefix and the page is opened with a trailing slash.
 */
export const dashboardPlugin: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { snapshot }) => {
  const files = dashboardFiles();

  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(files.dashboardPage)
  );

  app.get('/assets/:name', { schema: { params: Type.Object({ name: Type.String() }) } }, async (request, reply) => {
    const asset = files.assets.get(request.params.name);
    if (!asset) throw dashboardErrors.assetNotFound(request.params.name);
    return reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body);
  });

  app.get(
    '/api/run',
    { schema: { summary: 'The run as the dashboard shows it: figures, agents and the series charted so far', response: { 200: RunSnapshot } } },
    async (_request, reply) => reply.header('cache-control', 'no-store').send(snapshot())
  );
};
