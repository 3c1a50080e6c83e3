import type { BulkResultLine } from '@plexus/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateConnections } from './device-auth.ts';
import { importDevices, type BulkImportOptions } from './device-bulk.ts';
import { createDeviceType } from './device-types.ts';
import { listDevices } from './devices.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { createTenant } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('bulk');
  await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
  await createDeviceType(t.ctx, 'acme', { name: 'meter' });
});
afterAll(() => t.close());

const small: BulkImportOptions = { batchSize: 4, concurrency: 2, maxLines: 100, maxLineBytes: 256 };

async function* linesOf(...lines: string[]): AsyncIterable<string> {
  yield* lines;
}

async function run(lines: string[], options = small) {
  const results: BulkResultLine[] = [];
  const summary = await importDevices(t.ctx, 'acme', linesOf(...lines), (line) => results.push(line), options);
  const byLine = new Map(results.flatMap((result) => ('line' in result ? [[result.line, result] as const] : [])));
  return { summary, results, byLine };
}

describe('bulk import', () => {
  it('creates good lines, reports bad ones by line number, and keeps going', async () => {
    const { summary, byLine } = await run([
      JSON.stringify({ id: 'b-1', type: 'meter', tags: ['eu'] }),
      '{not json',
      JSON.stringify({ id: 'bad/id' }),
      '',
      JSON.stringify({ id: 'b-2', color: 'red' }),
      JSON.stringify({ id: 'b-3', type: 'ghost' }),
      JSON.stringify({ id: 'b-4' }),
      'x'.repeat(300),
      JSON.stringify({ id: 'b-5', name: 'Five' })
    ]);
    expect(summary).toEqual({ lines: 8, created: 3, existing: 0, failed: 5 });
    expect(byLine.get(1)).toMatchObject({ id: 'b-1', token: expect.stringMatching(/^pdt_acme_/) });
    expect(byLine.get(2)).toMatchObject({ error: { code: 'PLX_REGISTRY_BULK_INVALID_JSON' } });
    expect(byLine.get(3)).toMatchObject({ error: { code: 'PLX_REGISTRY_BULK_INVALID_DEVICE', field: '/id' } });
    expect(byLine.get(4)).toMatchObject({ id: 'b-2', error: { code: 'PLX_REGISTRY_BULK_INVALID_DEVICE', field: '/color' } });
    expect(byLine.get(5)).toMatchObject({ id: 'b-3', error: { code: 'PLX_REGISTRY_UNKNOWN_DEVICE_TYPE', field: '/type' } });
    expect(byLine.get(6)).toMatchObject({ id: 'b-4', token: expect.any(String) });
    expect(byLine.get(7)).toMatchObject({ error: { code: 'PLX_REGISTRY_BULK_LINE_TOO_LONG' } });
    expect(byLine.get(8)).toMatchObject({ id: 'b-5', token: expect.any(String) });
  });

  it('is idempotent: a re-upload reports existing ids and keeps their tokens working', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `r-${i}` }));
    const first = await run(lines);
    expect(first.summary).toMatchObject({ created: 10, existing: 0, failed: 0 });
    const again = await run([...lines, JSON.stringify({ id: 'r-new' })]);
    expect(again.summary).toMatchObject({ lines: 11, created: 1, existing: 10, failed: 0 });
    expect(again.byLine.get(3)).toEqual({ line: 3, id: 'r-2', status: 'exists' });

    const firstToken = first.byLine.get(1);
    if (!firstToken || !('token' in firstToken)) throw new Error('line 1 was not created');
    const [auth] = await authenticateConnections(t.ctx, [{ clientId: 'r-0', password: firstToken.token }]);
    expect(auth).toMatchObject({ result: 'allow' });
    const page = await listDevices(t.ctx, 'acme', {}, { limit: 1000 });
    expect(page.items.filter((device) => device.id.startsWith('r-'))).toHaveLength(11);
  });

  it('reports a duplicate inside one upload as existing', async () => {
    const { summary } = await run([JSON.stringify({ id: 'dup' }), JSON.stringify({ id: 'dup' })]);
    expect(summary).toMatchObject({ created: 1, existing: 1, failed: 0 });
  });

  it('refuses uploads over the line limit after keeping what came before', async () => {
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `limit-${i}` }));
    await expect(run(lines, { ...small, maxLines: 5 })).rejects.toMatchObject({ code: 'PLX_REGISTRY_BULK_TOO_MANY_LINES' });
    const page = await listDevices(t.ctx, 'acme', {}, { limit: 1000 });
    expect(page.items.filter((device) => device.id.startsWith('limit-'))).toHaveLength(5);
  });
});
