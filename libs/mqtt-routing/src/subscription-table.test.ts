import { parseSharedSubscription, topicMatches } from '@plexus/topics';
import { seededRandom } from '@plexus/test-harness';
import { describe, expect, it } from 'vitest';
import { SubscriptionTable, type Delivery, type QoS } from './subscription-table.ts';

interface Session {
  readonly id: string;
}

function session(id: string): Session {
  return { id };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function summary(deliveries: readonly Delivery<Session>[]): string[] {
  return deliveries
    .map((d) => `${d.subscriber.id} q${d.qos} rap=${d.retainAsPublished} ids=${[...d.subscriptionIdentifiers].sort((a, b) => a - b).join(',')} share=${d.shareName}`)
    .sort();
}

describe('SubscriptionTable against a brute-force reference', () => {
  it('gives the same deliveries as topicMatches over every filter, on randomized filters and topics', () => {
    const random = seededRandom(20261126);
    const literals = ['a', 'b', 'c', '', '$x'];
    const randomLevels = (count: number, wildcards: boolean): string[] => {
      const levels: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = random();
        if (wildcards && r < 0.15) levels.push('+');
        else if (wildcards && r < 0.25 && i === count - 1) levels.push('#');
        else levels.push(pick(random, literals));
      }
      return levels;
    };
    const sessions = Array.from({ length: 40 }, (_, i) => session(`s${i}`));
    const table = new SubscriptionTable<Session>();
    // The reference: every live subscription, keyed as the table keys it.
    const reference = new Map<string, { session: Session; filter: string; qos: QoS; noLocal: boolean; rap: boolean; id: number | undefined }>();

    for (let round = 0; round < 3000; round++) {
      const s = pick(random, sessions);
      let filter = randomLevels(1 + Math.floor(random() * 4), true).join('/');
      if (filter === '') filter = '/'; // an empty filter is invalid [MQTT-4.7.3-1]; '/' is two empty levels
      if (random() < 0.15) filter = `$share/${pick(random, ['g1', 'g2'])}/${filter}`;
      const key = `${s.id}\u0000${filter}`;
      if (random() < 0.25) {
        expect(table.unsubscribe(s, filter)).toBe(reference.delete(key));
        continue;
      }
      const shared = filter.startsWith('$share/');
      const options = {
        qos: pick(random, [0, 1, 2] as const),
        noLocal: !shared && random() < 0.3,
        retainAsPublished: random() < 0.3,
        subscriptionIdentifier: random() < 0.5 ? 1 + Math.floor(random() * 1000) : undefined
      };
      const outcome = table.subscribe(s, filter, options);
      expect(outcome).toBe(reference.has(key) ? 'replaced' : 'subscribed');
      reference.set(key, { session: s, filter, qos: options.qos, noLocal: options.noLocal, rap: options.retainAsPublished, id: options.subscriptionIdentifier });
    }
    expect(table.count).toBe(reference.size);

    let delivered = 0;
    for (let round = 0; round < 800; round++) {
      const topic = randomLevels(1 + Math.floor(random() * 5), false).join('/');
      const publisher = random() < 0.5 ? pick(random, sessions) : undefined;
      const actual = table.match(topic, publisher);
      delivered += actual.length;

      const direct = new Map<Session, { qos: QoS; rap: boolean; ids: number[] }>();
      const groups = new Map<string, Set<Session>>();
      for (const sub of reference.values()) {
        const shared = parseSharedSubscription(sub.filter);
        if (shared !== null) {
          if (!topicMatches(shared.filter, topic)) continue;
          const groupKey = `${shared.shareName}\u0000${shared.filter}`;
          if (!groups.has(groupKey)) groups.set(groupKey, new Set());
          groups.get(groupKey)?.add(sub.session);
          continue;
        }
        if (!topicMatches(sub.filter, topic)) continue;
        if (sub.noLocal && sub.session === publisher) continue;
        const merged = direct.get(sub.session) ?? { qos: 0, rap: false, ids: [] };
        merged.qos = Math.max(merged.qos, sub.qos) as QoS;
        merged.rap ||= sub.rap;
        if (sub.id !== undefined) merged.ids.push(sub.id);
        direct.set(sub.session, merged);
      }

      const expectedDirect = [...direct].map(([s, m]) => `${s.id} q${m.qos} rap=${m.rap} ids=${m.ids.sort((a, b) => a - b).join(',')} share=null`).sort();
      expect(summary(actual.filter((d) => d.shareName === null))).toEqual(expectedDirect);
      // One copy per matching group, to one of its members.
      const sharedCopies = actual.filter((d) => d.shareName !== null);
      expect(sharedCopies).toHaveLength(groups.size);
      for (const copy of sharedCopies) {
        const candidates = [...groups].filter(([key, members]) => key.startsWith(`${copy.shareName}\u0000`) && members.has(copy.subscriber));
        expect(candidates.length).toBeGreaterThan(0);
      }
    }

    // The randomized cases are not vacuous: subscriptions overlap and many topics match several.
    expect(delivered).toBeGreaterThan(800 * 10);
    for (const s of sessions) table.unsubscribeAll(s);
    expect(table.count).toBe(0);
    expect(table.nodeCount).toBe(0);
  });
});

describe('SubscriptionTable', () => {
  it('delivers overlapping subscriptions once, at the highest QoS, with every identifier [MQTT-3.3.4-2]/[MQTT-3.3.4-3]', () => {
    const table = new SubscriptionTable<Session>();
    const app = session('app');
    table.subscribe(app, 'acme/devices/+/telemetry', { qos: 0, subscriptionIdentifier: 7 });
    table.subscribe(app, 'acme/devices/#', { qos: 2, subscriptionIdentifier: 9 });
    table.subscribe(app, 'acme/devices/d1/telemetry', { qos: 1 });
    const [delivery, ...others] = table.match('acme/devices/d1/telemetry');
    expect(others).toEqual([]);
    expect(delivery?.qos).toBe(2);
    expect([...(delivery?.subscriptionIdentifiers ?? [])].sort()).toEqual([7, 9]);
  });

  it('replaces the options of an identical filter instead of adding a subscription [MQTT-3.8.4-3]', () => {
    const table = new SubscriptionTable<Session>();
    const app = session('app');
    expect(table.subscribe(app, 'acme/a', { qos: 2, subscriptionIdentifier: 1 })).toBe('subscribed');
    expect(table.subscribe(app, 'acme/a', { qos: 0 })).toBe('replaced');
    expect(table.count).toBe(1);
    expect(table.match('acme/a')).toEqual([{ subscriber: app, qos: 0, retainAsPublished: false, subscriptionIdentifiers: [], shareName: null }]);
  });

  it("skips the publisher's own No Local subscriptions and only those [MQTT-3.8.3-3]", () => {
    const table = new SubscriptionTable<Session>();
    const device = session('device');
    const app = session('app');
    table.subscribe(device, 'acme/devices/d1/#', { qos: 1, noLocal: true });
    table.subscribe(app, 'acme/devices/d1/#', { qos: 1, noLocal: true });
    expect(table.match('acme/devices/d1/telemetry', device).map((d) => d.subscriber)).toEqual([app]);
    expect(table.match('acme/devices/d1/telemetry').map((d) => d.subscriber.id).sort()).toEqual(['app', 'device']);
  });

  it('keeps a matching subscription without No Local when another of the same subscriber has it', () => {
    const table = new SubscriptionTable<Session>();
    const device = session('device');
    table.subscribe(device, 'acme/devices/d1/#', { qos: 1, noLocal: true, subscriptionIdentifier: 1 });
    table.subscribe(device, 'acme/devices/+/telemetry', { qos: 0, subscriptionIdentifier: 2 });
    expect(table.match('acme/devices/d1/telemetry', device)).toEqual([
      { subscriber: device, qos: 0, retainAsPublished: false, subscriptionIdentifiers: [2], shareName: null }
    ]);
  });

  it('refuses No Local on a shared subscription [MQTT-3.8.3-4] and invalid filters', () => {
    const table = new SubscriptionTable<Session>();
    const app = session('app');
    expect(table.subscribe(app, '$share/g/acme/#', { qos: 0, noLocal: true })).toBe('no-local-on-shared-subscription');
    for (const filter of ['acme/#/x', 'acme/a+', '', '$share/g', '$share//acme/x', '$share/g+/acme/x', '$share/g/acme/#/x']) {
      expect(table.subscribe(app, filter, { qos: 0 })).toBe('invalid-filter');
    }
    expect(table.count).toBe(0);
    expect(table.nodeCount).toBe(0);
  });

  it('does not match $-topics with filters starting with a wildcard [MQTT-4.7.2-1]', () => {
    const table = new SubscriptionTable<Session>();
    const [all, plus, sys] = [session('all'), session('plus'), session('sys')];
    table.subscribe(all, '#', { qos: 0 });
    table.subscribe(plus, '+/monitor/#', { qos: 0 });
    table.subscribe(sys, '$SYS/#', { qos: 0 });
    expect(table.match('$SYS/monitor/clients').map((d) => d.subscriber)).toEqual([sys]);
    expect(table.match('acme/monitor/x').map((d) => d.subscriber.id).sort()).toEqual(['all', 'plus']);
  });

  it("keeps one tenant's wildcards out of another tenant's topics", () => {
    const table = new SubscriptionTable<Session>();
    const acme = session('acme-app');
    table.subscribe(acme, 'acme/devices/+/telemetry', { qos: 0 });
    table.subscribe(acme, 'acme/#', { qos: 0 });
    expect(table.match('globex/devices/d1/telemetry')).toEqual([]);
  });

  it('gives each shared group message to exactly one member, in turn', () => {
    const table = new SubscriptionTable<Session>();
    const workers = Array.from({ length: 4 }, (_, i) => session(`w${i}`));
    for (const worker of workers) table.subscribe(worker, '$share/ingest/acme/devices/+/telemetry', { qos: 1 });
    const audit = session('audit');
    table.subscribe(audit, '$share/audit/acme/devices/#', { qos: 0 });
    const received = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const deliveries = table.match(`acme/devices/d${i}/telemetry`);
      expect(deliveries.map((d) => d.shareName).sort()).toEqual(['audit', 'ingest']);
      for (const d of deliveries) received.set(d.subscriber.id, (received.get(d.subscriber.id) ?? 0) + 1);
    }
    expect(Object.fromEntries(received)).toEqual({ w0: 100, w1: 100, w2: 100, w3: 100, audit: 400 });

    // A member leaving mid-rotation: the others still share evenly.
    table.unsubscribe(workers[1] as Session, '$share/ingest/acme/devices/+/telemetry');
    received.clear();
    for (let i = 0; i < 300; i++) {
      for (const d of table.match(`acme/devices/d${i}/telemetry`)) received.set(d.subscriber.id, (received.get(d.subscriber.id) ?? 0) + 1);
    }
    expect(Object.fromEntries(received)).toEqual({ w0: 100, w2: 100, w3: 100, audit: 300 });
  });

  it('sends a shared copy apart from the same subscriber\'s non-shared copy', () => {
    const table = new SubscriptionTable<Session>();
    const app = session('app');
    table.subscribe(app, 'acme/x', { qos: 0 });
    table.subscribe(app, '$share/g/acme/x', { qos: 1 });
    expect(summary(table.match('acme/x'))).toEqual(['app q0 rap=false ids= share=null', 'app q1 rap=false ids= share=g']);
  });

  it('prunes the trie as subscriptions go, back to zero nodes', () => {
    const table = new SubscriptionTable<Session>();
    const sessions = Array.from({ length: 50 }, (_, i) => session(`d${i}`));
    for (const s of sessions) {
      table.subscribe(s, `acme/devices/${s.id}/commands`, { qos: 1 });
      table.subscribe(s, `acme/devices/${s.id}/jobs/#`, { qos: 1 });
      table.subscribe(s, '$share/g/acme/devices/+/telemetry', { qos: 0 });
    }
    expect(table.count).toBe(150);
    expect(table.nodeCount).toBe(2 + 50 * 4 + 2);
    for (const s of sessions.slice(0, 25)) expect(table.unsubscribeAll(s)).toBe(3);
    for (const s of sessions.slice(25)) {
      expect(table.unsubscribe(s, `acme/devices/${s.id}/commands`)).toBe(true);
      expect(table.unsubscribe(s, `acme/devices/${s.id}/commands`)).toBe(false);
      expect(table.unsubscribe(s, `acme/devices/${s.id}/jobs/#`)).toBe(true);
      expect(table.unsubscribe(s, '$share/g/acme/devices/+/telemetry')).toBe(true);
    }
    expect(table.count).toBe(0);
    expect(table.nodeCount).toBe(0);
    expect(table.match('acme/devices/d1/commands')).toEqual([]);
  });
});
