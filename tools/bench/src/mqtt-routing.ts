import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KeepaliveWheel, SubscriptionTable } from '@plexus/mqtt-routing';
import { topicMatches } from '@plexus/topics';

// Measures the gateway's routing table and keepalive wheel in one process. The table holds N
// subscriptions shaped like the gateway's: every device subscribes to its own commands topic;
// apps of 100 tenants hold a few thousand wildcard subscriptions and shared ingest groups. The
// peer, in the same run: a linear scan with `topicMatches` over every filter, on a smaller N,
// extrapolated per subscription (its cost is linear in N by construction).

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '1000000' },
    'naive-subscriptions': { type: 'string', default: '20000' },
    'wheel-items': { type: 'string', default: '1000000' },
    matches: { type: 'string', default: '500000' }
  }
});
const total = positiveInteger('subscriptions');
const naiveTotal = positiveInteger('naive-subscriptions');
const wheelItems = positiveInteger('wheel-items');
const matchCount = positiveInteger('matches');

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

// A forced GC before each heap reading, without asking for `node --expose-gc`.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const TENANTS = 100;
const tenant = (i: number): string => `t${String(i % TENANTS).padStart(3, '0')}`;
const APP_FILTERS = ['devices/+/telemetry', 'devices/+/telemetry/#', 'devices/+/shadow/update/accepted', 'devices/+/jobs/+/update', 'devices/#'];
const APPS_PER_TENANT = 6; // × 5 filters × 100 tenants = 3,000 wildcard subscriptions
const SHARED_MEMBERS_PER_TENANT = 4; // `$share/ingest/{tenant}/devices/+/telemetry`, 400 subscriptions

interface Session {
  readonly id: number;
}

interface Subscription {
  readonly session: Session;
  readonly filter: string;
}

/** The gateway-shaped subscription set: app wildcards and shared groups first, devices fill the rest. */
function subscriptionsFor(count: number): { subscriptions: Subscription[]; devices: number } {
  const subscriptions: Subscription[] = [];
  let sessionId = 0;
  for (let t = 0; t < TENANTS; t++) {
    for (let a = 0; a < APPS_PER_TENANT; a++) {
      const app = { id: sessionId++ };
      for (const filter of APP_FILTERS) subscriptions.push({ session: app, filter: `${tenant(t)}/${filter}` });
    }
    for (let m = 0; m < SHARED_MEMBERS_PER_TENANT; m++) {
      subscriptions.push({ session: { id: sessionId++ }, filter: `$share/ingest/${tenant(t)}/devices/+/telemetry` });
    }
  }
  const appSubscriptions = subscriptions.length;
  const devices = Math.max(0, count - appSubscriptions);
  for (let d = 0; d < devices; d++) subscriptions.push({ session: { id: sessionId++ }, filter: `${tenant(d)}/devices/d${d}/commands` });
  return { subscriptions: subscriptions.slice(0, count), devices };
}

/** Publishes on device topics: telemetry (app wildcards and shared groups match) and commands (the device matches). */
function devicePublishTopics(devices: number, count: number): { telemetry: string[]; commands: string[] } {
  const telemetry: string[] = [];
  const commands: string[] = [];
  const distinct = Math.min(count, 100_000);
  for (let i = 0; i < distinct; i++) {
    const device = Math.floor((i * 7919) % Math.max(devices, 1));
    telemetry.push(`${tenant(device)}/devices/d${device}/telemetry`);
    commands.push(`${tenant(device)}/devices/d${device}/commands`);
  }
  return { telemetry, commands };
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

const format = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// --- the trie table -------------------------------------------------------------------------
const { subscriptions, devices } = subscriptionsFor(total);
const topics = devicePublishTopics(devices, matchCount);
const heapBefore = heapUsed();
const table = new SubscriptionTable<Session>();
let started = process.hrtime.bigint();
for (const { session, filter } of subscriptions) table.subscribe(session, filter, { qos: 1 });
const subscribeSeconds = seconds(started);
const heapTable = heapUsed() - heapBefore;

function matchRate(list: readonly string[]): { perSecond: number; deliveriesPerMatch: number } {
  let deliveries = 0;
  const begin = process.hrtime.bigint();
  for (let i = 0; i < matchCount; i++) deliveries += table.match(list[i % list.length] as string).length;
  return { perSecond: matchCount / seconds(begin), deliveriesPerMatch: deliveries / matchCount };
}
const telemetryMatch = matchRate(topics.telemetry);
const commandsMatch = matchRate(topics.commands);

// --- the peer: a linear scan over every filter ------------------------------------------------
const naive = subscriptionsFor(naiveTotal);
const naiveFilters = naive.subscriptions.map((s) => s.filter.replace(/^\$share\/[^/]+\//, ''));
const naiveTopics = devicePublishTopics(naive.devices, 2_000);
const naiveMatches = Math.max(200, Math.floor(3_000_000 / naiveTotal)); // about 3M filter checks, a few seconds
let naiveHits = 0;
started = process.hrtime.bigint();
for (let i = 0; i < naiveMatches; i++) {
  const topic = naiveTopics.telemetry[i % naiveTopics.telemetry.length] as string;
  for (const filter of naiveFilters) if (topicMatches(filter, topic)) naiveHits++;
}
const naiveSecondsPerMatch = seconds(started) / naiveMatches;
const naivePerSubscription = naiveSecondsPerMatch / naiveTotal;

// --- the keepalive wheel ----------------------------------------------------------------------
const items = Array.from({ length: wheelItems }, (_, id) => ({ id }));
const wheelHeapBefore = heapUsed();
const wheel = new KeepaliveWheel<{ id: number }>({ slotWidthMs: 1000, nowMs: 0 });
started = process.hrtime.bigint();
// Connects: keepalives of 30–120 s, ×1.5 [MQTT-3.1.2-24], staggered over one second.
for (let i = 0; i < wheelItems; i++) wheel.touch(items[i] as { id: number }, (i % 1000) + 1500 * (30 + (i % 91)));
const firstTouchSeconds = seconds(started);
const wheelHeap = heapUsed() - wheelHeapBefore;
started = process.hrtime.bigint();
// A packet from every connection 10 s later moves every item to a new slot.
for (let i = 0; i < wheelItems; i++) wheel.touch(items[i] as { id: number }, 10_000 + (i % 1000) + 1500 * (30 + (i % 91)));
const moveTouchSeconds = seconds(started);
started = process.hrtime.bigint();
let expired = 0;
for (let now = 0; now <= 250_000; now += 1000) expired += wheel.advance(now).length;
const advanceSeconds = seconds(started);

const report = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  table: {
    subscriptions: table.count,
    deviceSubscriptions: devices,
    appAndSharedSubscriptions: table.count - devices,
    trieNodes: table.nodeCount,
    heapMBPer100k: (heapTable / 2 ** 20) * (100_000 / table.count),
    subscribePerSecond: table.count / subscribeSeconds,
    telemetryMatchPerSecond: telemetryMatch.perSecond,
    telemetryDeliveriesPerMatch: telemetryMatch.deliveriesPerMatch,
    commandsMatchPerSecond: commandsMatch.perSecond,
    commandsDeliveriesPerMatch: commandsMatch.deliveriesPerMatch
  },
  naivePeer: {
    subscriptions: naiveTotal,
    matchPerSecond: 1 / naiveSecondsPerMatch,
    nanosecondsPerSubscriptionChecked: naivePerSubscription * 1e9,
    matchPerSecondExtrapolatedToN: 1 / (naivePerSubscription * table.count),
    hitsPerMatch: naiveHits / naiveMatches
  },
  wheel: {
    items: wheelItems,
    bytesPerItem: wheelHeap / wheelItems,
    firstTouchPerSecond: wheelItems / firstTouchSeconds,
    movingTouchPerSecond: wheelItems / moveTouchSeconds,
    advanceSecondsFor250Ticks: advanceSeconds,
    expired
  }
};

console.log(JSON.stringify(report, null, 2));
console.log(`
subscriptions ${format(table.count)} (${format(devices)} device, ${format(table.count - devices)} app/shared), ${format(table.nodeCount)} trie nodes
table heap ${format(report.table.heapMBPer100k, 1)} MB per 100k subscriptions, subscribe ${format(report.table.subscribePerSecond)}/s
match telemetry ${format(telemetryMatch.perSecond)}/s (${format(telemetryMatch.deliveriesPerMatch, 1)} deliveries), commands ${format(commandsMatch.perSecond)}/s
naive scan at ${format(naiveTotal)}: ${format(report.naivePeer.matchPerSecond)} match/s, ${format(report.naivePeer.nanosecondsPerSubscriptionChecked, 1)} ns per subscription -> ${format(report.naivePeer.matchPerSecondExtrapolatedToN, 1)} match/s at ${format(table.count)}
wheel ${format(wheelItems)} items: ${format(report.wheel.bytesPerItem, 1)} bytes/item, touch ${format(report.wheel.firstTouchPerSecond)}/s new, ${format(report.wheel.movingTouchPerSecond)}/s moving, 250 ticks advanced in ${format(advanceSeconds, 3)} s (${format(expired)} expired)`);
