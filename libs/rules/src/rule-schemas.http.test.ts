import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListAlertsQuery, RuleCreate, RuleUpdate } from '@plexus/contracts';
import { defineError } from '@plexus/errors';
import { errorHandler, type HttpErrorCatalog } from '@plexus/http-api';

// The data plane validates rule requests with these schemas through Fastify's Ajv and the shared
// error handler; this checks that a bad request comes back as a 400 naming the field.

const errors: HttpErrorCatalog = {
  validation: defineError<[string]>('PLX_TEST_VALIDATION', 400, '%s'),
  invalidJson: defineError<[string]>('PLX_TEST_INVALID_JSON', 400, '%s'),
  bodyTooLarge: defineError<[number]>('PLX_TEST_BODY_TOO_LARGE', 413, '%s'),
  unsupportedMediaType: defineError<[string]>('PLX_TEST_MEDIA_TYPE', 415, '%s'),
  badRequest: defineError<[string]>('PLX_TEST_BAD_REQUEST', 400, '%s'),
  routeNotFound: defineError<[string, string]>('PLX_TEST_ROUTE_NOT_FOUND', 404, '%s %s'),
  internal: defineError('PLX_TEST_INTERNAL', 500, 'internal error')
};

const valid = { id: 'overheat', devices: { all: true }, condition: { threshold: { field: 'temp', operator: '>', value: 30 } } };

describe('rule schemas behind Fastify', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } } });
    await app.register(errorHandler, { errors });
    app.post('/rules', { schema: { body: RuleCreate } }, async () => ({ ok: true }));
    app.patch('/rules', { schema: { body: RuleUpdate } }, async () => ({ ok: true }));
    app.get('/alerts', { schema: { querystring: ListAlertsQuery } }, async (request) => request.query);
  });

  afterAll(() => app.close());

  async function fieldOf(payload: unknown): Promise<string | undefined> {
    const response = await app.inject({ method: 'POST', url: '/rules', payload: payload as object });
    return response.statusCode === 400 ? (response.json() as { field?: string }).field : `status ${response.statusCode}`;
  }

  it('accept a valid rule', async () => {
    expect(await fieldOf(valid)).toBe('status 200');
  });

  it('name the field at fault in 400s', async () => {
    expect(await fieldOf({ ...valid, condition: { absence: {} } })).toBe('body/condition/absence/seconds');
    expect(await fieldOf({ ...valid, condition: { rateOfChange: { field: 'level', operator: '>', value: 1 } } })).toBe('body/condition/rateOfChange/per');
    expect(await fieldOf({ ...valid, condition: { threshold: { field: 'temp', operator: '=>', value: 1 } } })).toBe('body/condition/threshold/operator');
    expect(await fieldOf({ ...valid, condition: {} })).toBe('body/condition');
    expect(await fieldOf({ ...valid, devices: { all: true, deviceId: 'd-1' } })).toBe('body/devices');
    expect(await fieldOf({ ...valid, webhook: { url: 'ftp://example.test' } })).toBe('body/webhook/url');
    expect(await fieldOf({ ...valid, colour: 'red' })).toBe('body/colour');
  });

  it('take query strings for alert lists, with the page size defaulted', async () => {
    const bad = await app.inject({ method: 'GET', url: '/alerts?state=closed' });
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'querystring/state' });
    const good = await app.inject({ method: 'GET', url: '/alerts?state=open&from=2026-01-01T00:00:00Z' });
    expect(good.json()).toEqual({ state: 'open', from: '2026-01-01T00:00:00Z', limit: 100 });
  });
});
