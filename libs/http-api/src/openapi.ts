import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface OpenApiOptions {
  readonly title: string;
  readonly description: string;
}

/** OpenAPI generated from the routes' TypeBox schemas; Swagger UI at `/docs`, JSON at `/docs/json`. */
export const openApi = fp(
  async (app: FastifyInstance, { title, description }: OpenApiOptions) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title, version: '1.0.0', description },
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Plexus API key: plx_<id>_<secret>' } }
        },
        security: [{ apiKey: [] }]
      }
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'plexus-openapi' }
);
