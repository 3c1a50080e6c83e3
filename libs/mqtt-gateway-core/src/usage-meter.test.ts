import { describe, expect, it } from 'vitest';
import { HeldProducer } from './gateway-test-server.ts';
import { MessageIds } from './message-ids.ts';
import { UsageMeter } from './usage-meter.ts';

function meter() {
  const clock = { now: 1_000_000 };
  const producer = new HeldProducer();
  const usage = new UsageMeter({ nodeId: 'node-1', producer, messageIds: new MessageIds(), now: () => clock.now });
  return { clock, producer, usage };
}

describe('UsageMeter', () => {
  it('counts connected time by the interval, including sessions that come and go inside it', () => {
    const { clock, usage } = meter();
    usage.connected('acme'); // connected the whole first interval
    clock.now += 10_000;
    usage.connected('acme'); // 50 s of the first interval
    clock.now += 30_000;
    usage.disconnected('acme'); // the second session: 30 s
    clock.now += 20_000;
    const [first] = usage.takeEvents();
    expect(first).toMatchObject({ tenantId: 'acme', nodeId: 'node-1', from: 1_000_000, to: 1_060_000, connects: 2, disconnects: 1, connectedSeconds: 90 });

    clock.now += 60_000;
    const [second] = usage.takeEvents();
    expect(second).toMatchObject({ from: 1_060_000, to: 1_120_000, connects: 0, disconnects: 0, connectedSeconds: 60 });
  });

  it('counts messages and payload bytes in and out per tenant', () => {
    const { usage } = meter();
    usage.published('acme', 100);
    usage.published('acme', 20);
    usage.delivered('acme', 100);
    usage.published('other', 5);
    const events = usage.takeEvents();
    expect(events.find((event) => event.tenantId === 'acme')).toMatchObject({ messagesIn: 2, bytesIn: 120, messagesOut: 1, bytesOut: 100 });
    expect(events.find((event) => event.tenantId === 'other')).toMatchObject({ messagesIn: 1, bytesIn: 5, messagesOut: 0 });
  });

  it('reports nothing for a tenant with no activity and no live session, and forgets it', () => {
    const { clock, usage } = meter();
    usage.connected('acme');
    clock.now += 5_000;
    usage.disconnected('acme');
    expect(usage.takeEvents()).toHaveLength(1);
    clock.now += 60_000;
    expect(usage.takeEvents()).toEqual([]);
  });

  it("appends one usage record per tenant to the stream, keyed by the node", async () => {
    const { clock, producer, usage } = meter();
    usage.connected('acme');
    usage.published('acme', 42);
    clock.now += 60_000;
    expect(await usage.flush()).toBe(1);
    expect(producer.records).toHaveLength(1);
    const record = producer.records[0];
    expect(record).toMatchObject({ tenantId: 'acme', deviceId: 'node-1', kind: 'usage', receivedAt: 1_060_000 });
    expect(JSON.parse(Buffer.from(record?.payload ?? []).toString())).toMatchObject({ messagesIn: 1, bytesIn: 42, connectedSeconds: 60 });
  });
});
