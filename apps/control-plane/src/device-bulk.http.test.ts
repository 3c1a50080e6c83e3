import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestControlPlane, type TestControlPlane } from './control-plane-test-app.ts';

let cp: TestControlPlane;
let key = '';
let base = '';

beforeAll(async () => {
  cp = await openTestControlPlane('control_plane_bulk');
  key = await cp.tenantWithKey('bulk', ['registry:write']);
  await cp.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(cp.app.server.address() as AddressInfo).port}`;
});
afterAll(() => cp.close());

/** Streams `lines` as the body in small chunks while reading the streamed response, like a real client. */
function upload(lines: string[], apiKey = key): Promise<{ status: number; results: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/devices/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' }
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, results: text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) })
      );
    });
    req.on('error', reject);
    const body = lines.join('\n') + '\n';
    const chunkSize = 4096;
    let offset = 0;
    const pump = (): void => {
      while (offset < body.length) {
        const chunk = body.slice(offset, offset + chunkSize);
        offset += chunkSize;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('POST /v1/devices/bulk over a real socket', () => {
  it('streams thousands of devices, reports bad lines by number and is idempotent on re-upload', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: `dev-${String(i).padStart(5, '0')}`, tags: ['bulk'] }));
    lines.splice(100, 0, '{broken');
    lines.splice(2000, 0, JSON.stringify({ id: 'has space' }));
    const first = await upload(lines);
    expect(first.status).toBe(200);
    expect(first.results.at(-1)).toEqual({ summary: { lines: 5002, created: 5000, existing: 0, failed: 2 } });
    expect(first.results.find((r) => r['line'] === 101)).toMatchObject({ error: { code: 'PLX_REGISTRY_BULK_INVALID_JSON' } });
    expect(first.results.find((r) => r['line'] === 2001)).toMatchObject({ error: { code: 'PLX_REGISTRY_BULK_INVALID_DEVICE', field: '/id' } });
    const tokens = first.results.filter((r) => typeof r['token'] === 'string');
    expect(new Set(tokens.map((r) => r['token'])).size).toBe(5000);

    const again = await upload(lines.slice(0, 50));
    expect(again.results.at(-1)).toEqual({ summary: { lines: 50, created: 0, existing: 50, failed: 0 } });
  });

  it('refuses an anonymous upload before reading it', async () => {
    const { status, results } = await upload([JSON.stringify({ id: 'x' })], 'plx_00000000_' + 'A'.repeat(43));
    expect(status).toBe(401);
    expect(results[0]).toMatchObject({ code: 'PLX_REGISTRY_UNAUTHORIZED' });
  });
});
