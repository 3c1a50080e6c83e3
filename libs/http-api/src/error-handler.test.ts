import Fastify from 'fastify';
import { Type } from 'typebox';
import { defineError } from '@plexus/errors';
import { describe, expect, it } from 'vitest';
import { errorHandler } from './error-handler.ts';
import type { HttpErrorCatalog } from './http-errors.ts';

const errors: HttpErrorCatalog = {
  validation: defineError<[string]>('PLX_TEST_VALIDATION', 400, '%s'),
  invalidJson: defineError<[string]>('PLX_TEST_INVALID_JSON', 400, 'request body is not valid JSON: %s'),
  bodyTooLarge: defineError<[number]>('PLX_TEST_BODY_TOO_LARGE', 413, 'request body is larger than %s bytes'),
  unsupportedMediaType: defineError<[string]>('PLX_TEST_UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported content type %s'),
  badRequest: defineError<[string]>('PLX_TEST_BAD_REQUEST', 400, '%s'),
  routeNotFound: defineError<[string, string]>('PLX_TEST_ROUTE_NOT_FOUND', 404, 'no route %s %s'),
  internal: defineError('PLX_TEST_INTERNAL', 500, 'internal error')
};
const conflict = defineError<[string, { field: string }]>('PLX_TEST_CONFLICT', 409, '%s is taken');

async function app() {
  const server = Fastify({ bodyLimit: 64, ajv: { customOptions: { removeAdditional: false } } });
  await server.register(errorHandler, { errors });
  server.post('/things', { schema: { body: Type.Object({ name: Type.String({ minLength: 2 }) }, { additionalProperties: false }) } }, async () => ({ ok: true }));
  server.get('/taken', async () => {
    throw conflict('name', { field: 'body/name' });
  });
  server.get('/broken', async () => {
    throw new Error('secret detail');
  });
  return server;
}

describe('errorHandler', () => {
  it('names the field of a validation error, with the catalog code', async () => {
    const server = await app();
    const short = await server.inject({ method: 'POST', url: '/things', payload: { name: 'x' } });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'PLX_TEST_VALIDATION', field: 'body/name' });
    const extra = await server.inject({ method: 'POST', url: '/things', payload: { name: 'ok', colour: 'red' } });
    expect(extra.json()).toMatchObject({ field: 'body/colour', message: 'body/colour is not a known property' });
  });

  it('maps malformed JSON, oversized bodies and unknown routes to catalog errors', async () => {
    const server = await app();
    const json = await server.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(json.json()).toMatchObject({ statusCode: 400, code: 'PLX_TEST_INVALID_JSON' });
    const large = await server.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(100) } });
    expect(large.json()).toMatchObject({ statusCode: 413, code: 'PLX_TEST_BODY_TOO_LARGE' });
    const missing = await server.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.json()).toEqual({ statusCode: 404, code: 'PLX_TEST_ROUTE_NOT_FOUND', message: 'no route GET /nowhere' });
  });

  it("passes catalog errors through with their field, and hides other errors' details", async () => {
    const server = await app();
    expect((await server.inject({ method: 'GET', url: '/taken' })).json()).toEqual({ statusCode: 409, code: 'PLX_TEST_CONFLICT', message: 'name is taken', field: 'body/name' });
    const broken = await server.inject({ method: 'GET', url: '/broken' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ statusCode: 500, code: 'PLX_TEST_INTERNAL', message: 'internal error' });
  });
});
