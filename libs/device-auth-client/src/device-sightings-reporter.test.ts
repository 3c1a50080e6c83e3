import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSightingsReporter } from './device-sightings-reporter.ts';

// A stand-in for the control plane's sightings endpoint that fails on demand; the real route
// is tested in the control plane and end to end through the gateway.
let server: Server;
let url = '';
let failNext = 0;
const received: { tenantId: string; deviceId: string; at: number }[][] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (failNext > 0) {
        failNext--;
        response.writeHead(503).end('{"statusCode":503}');
        return;
      }
      received.push((JSON.parse(body) as { sightings: (typeof received)[number] }).sightings);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('DeviceSightingsReporter', () => {
  it('reports the latest sighting per device and keeps a failed batch for the next flush', async () => {
    let clock = 1000;
    const errors: Error[] = [];
    const reporter = new DeviceSightingsReporter({ controlPlaneUrl: url, internalToken: 't'.repeat(32), now: () => clock, onError: (error) => errors.push(error) });
    reporter.seen('acme', 'd-1');
    clock = 2000;
    reporter.seen('acme', 'd-1');
    reporter.seen('acme', 'd-2');
    failNext = 1;
    await reporter.flush();
    expect(errors).toHaveLength(1);
    expect(reporter.pendingCount).toBe(2);
    await reporter.flush();
    expect(reporter.pendingCount).toBe(0);
    expect(received.at(-1)).toEqual([
      { tenantId: 'acme', deviceId: 'd-1', at: 2000 },
      { tenantId: 'acme', deviceId: 'd-2', at: 2000 }
    ]);
  });

  it('reports a device again only once its last report is older than the resolution', async () => {
    let clock = 1000;
    const reporter = new DeviceSightingsReporter({ controlPlaneUrl: url, internalToken: 't'.repeat(32), resolutionMs: 60_000, now: () => clock });
    reporter.seen('acme', 'r-1');
    await reporter.flush();
    expect(received.at(-1)).toEqual([{ tenantId: 'acme', deviceId: 'r-1', at: 1000 }]);
    clock = 60_999;
    reporter.seen('acme', 'r-1');
    reporter.seen('acme', 'r-2');
    expect(reporter.pendingCount).toBe(1);
    await reporter.flush();
    clock = 61_000;
    reporter.seen('acme', 'r-1');
    reporter.seen('acme', 'r-2');
    await reporter.flush();
    expect(received.slice(-2)).toEqual([[{ tenantId: 'acme', deviceId: 'r-2', at: 60_999 }], [{ tenantId: 'acme', deviceId: 'r-1', at: 61_000 }]]);
  });

  it('forgets the oldest devices beyond its bound', () => {
    const reporter = new DeviceSightingsReporter({ controlPlaneUrl: url, internalToken: 't'.repeat(32), maxPending: 2 });
    for (const id of ['a', 'b', 'c']) reporter.seen('acme', id);
    expect(reporter.pendingCount).toBe(2);
  });
});
