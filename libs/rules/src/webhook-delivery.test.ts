import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@plexus/contracts';
import { testEngines } from '@plexus/test-harness';
import { openedAlert, openedEvent } from './alert-records.ts';
import { newStoredRule } from './stored-rule.ts';
import { WebhookDelivery, type WebhookDeliveryOptions, type WebhookOutcome } from './webhook-delivery.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers each request with the next status of `script` (`hang` never answers), the last one repeating. */
async function receiver(script: (number | 'hang')[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      const step = script[Math.min(received.length - 1, script.length - 1)] as number | 'hang';
      if (step !== 'hang') response.writeHead(step).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, received, server };
}

function alertEvent(deviceId = 'd-1'): AlertEvent {
  const rule = newStoredRule('acme', { id: 'hot', devices: { all: true }, condition: { threshold: { field: 't', operator: '>', value: 1 } } }, new Date(0));
  return openedEvent(openedAlert({ rule, kind: 'threshold', deviceId, at: Date.UTC(2026, 0, 1), value: 2, message: 't = 2 > 1' }));
}

const open: { close(): Promise<void> }[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((delivery) => delivery.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A delivery on a queue of its own, and a promise of its first outcome. */
function delivery(options: Partial<WebhookDeliveryOptions> & { queueName?: string } = {}): { delivery: WebhookDelivery; outcome: Promise<WebhookOutcome> } {
  let settle: (outcome: WebhookOutcome) => void = () => undefined;
  const outcome = new Promise<WebhookOutcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no webhook outcome within 15 s')), 15_000);
    settle = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
  });
  const created = new WebhookDelivery({
    redisUrl: testEngines().redisUrl,
    queueName: `webhooks-test-${randomBytes(4).toString('hex')}`,
    backoffMs: 20,
    timeoutMs: 500,
    onOutcome: (value) => settle(value),
    ...options
  });
  open.push(created);
  return { delivery: created, outcome };
}

describe('WebhookDelivery (BullMQ on Redis, a real HTTP receiver)', () => {
  it('retries through 5xx answers and a timeout, then delivers the signed event once', async () => {
    const target = await receiver([503, 'hang', 500, 200]);
    servers.push(target.server);
    const { delivery: webhooks, outcome } = delivery({ timeoutMs: 300 });
    webhooks.startWorker();
    const event = alertEvent();
    const secret = 'a-shared-secret-of-the-tenant';
    expect(await webhooks.enqueue({ url: target.url, secret }, event)).toBe(true);

    expect(await outcome).toMatchObject({ delivered: true, attempts: 4, alertId: event.alert.id, kind: 'opened', error: null });
    expect(target.received).toHaveLength(4);
    const deliveryIds = new Set(target.received.map((request) => request.headers['x-plexus-delivery']));
    expect(deliveryIds.size).toBe(1);
    for (const request of target.received) {
      expect(JSON.parse(request.body)).toEqual(event);
      expect(verifyWebhookSignature(secret, request.body, String(request.headers[SIGNATURE_HEADER]))).toBe(true);
    }
    expect(await webhooks.depth()).toBe(0);
  });

  it('gives up after maxAttempts and keeps the failure', async () => {
    const target = await receiver([500]);
    servers.push(target.server);
    const { delivery: webhooks, outcome } = delivery({ maxAttempts: 3 });
    webhooks.startWorker();
    await webhooks.enqueue({ url: target.url }, alertEvent());
    expect(await outcome).toMatchObject({ delivered: false, attempts: 3, error: 'HTTP 500' });
    expect(target.received).toHaveLength(3);
    expect(target.received[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(await webhooks.failures()).toMatchObject([{ delivered: false, attempts: 3, error: 'HTTP 500', url: target.url }]);
  });

  it('does not retry an answer that will not change (4xx)', async () => {
    const target = await receiver([404, 200]);
    servers.push(target.server);
    const { delivery: webhooks, outcome } = delivery();
    webhooks.startWorker();
    await webhooks.enqueue({ url: target.url }, alertEvent());
    expect(await outcome).toMatchObject({ delivered: false, attempts: 1, error: 'HTTP 404' });
    expect(target.received).toHaveLength(1);
  });

  it('refuses deliveries past maxQueued and reports them', async () => {
    const { delivery: webhooks, outcome } = delivery({ maxQueued: 1 });
    expect(await webhooks.enqueue({ url: 'http://127.0.0.1:9/never' }, alertEvent('d-1'))).toBe(true);
    expect(await webhooks.enqueue({ url: 'http://127.0.0.1:9/never' }, alertEvent('d-2'))).toBe(false);
    expect(await outcome).toMatchObject({ delivered: false, attempts: 0, error: 'queue full (1 deliveries pending)' });
    expect(await webhooks.depth()).toBe(1);
  });

  it('keeps a pending delivery across a restart: another process sends it', async () => {
    const target = await receiver([200]);
    servers.push(target.server);
    const queueName = `webhooks-test-${randomBytes(4).toString('hex')}`;
    const first = delivery({ queueName });
    await first.delivery.enqueue({ url: target.url }, alertEvent());
    await first.delivery.close();
    open.splice(open.indexOf(first.delivery), 1);

    const second = delivery({ queueName });
    second.delivery.startWorker();
    expect(await second.outcome).toMatchObject({ delivered: true, attempts: 1 });
    expect(target.received).toHaveLength(1);
  });
});
