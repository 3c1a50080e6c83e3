import { isValidTopicFilter, parseSharedSubscription } from '@plexus/topics';
import { SharedGroup } from './shared-group.ts';

// Routes a published topic to the subscribers whose filters match it. Topics and filters are
// already mounted under their tenant (`acme/devices/+/telemetry`, see @plexus/topics
// tenant-mount): the tenant is the first level and holds no '/', so one table serves every
// tenant without one tenant's wildcard reaching another's topics.
//
// Filters live in a level trie: a node per filter level, with literal children in a Map and the
// '+' and '#' children apart. Matching walks the topic's levels, so its cost follows the topic's
// depth and the number of matching subscriptions, never the number of subscriptions held.

export type QoS = 0 | 1 | 2;

export interface SubscriptionOptions {
  readonly qos: QoS;
  /** Do not deliver the subscriber's own publishes (MQTT 5.0 §3.8.3.1, non-shared only). */
  readonly noLocal?: boolean;
  readonly retainAsPublished?: boolean;
  readonly subscriptionIdentifier?: number;
}

/**
 * - `subscribed`: a new subscription.
 * - `replaced`: the subscriber already held this exact filter; its options were replaced [MQTT-3.8.4-3].
 * - `invalid-filter`: not a valid topic filter, or a malformed `$share/…` (SUBACK reason 0x8F).
 * - `no-local-on-shared-subscription`: a Protocol Error [MQTT-3.8.3-4]; the gateway disconnects.
 */
export type SubscribeOutcome = 'subscribed' | 'replaced' | 'invalid-filter' | 'no-local-on-shared-subscription';

export interface Delivery<S> {
  readonly subscriber: S;
  readonly qos: QoS;
  readonly retainAsPublished: boolean;
  /** Every matching subscription's identifier, in no significant order [MQTT-3.3.4-3]/[MQTT-3.3.4-4]. */
  readonly subscriptionIdentifiers: readonly number[];
  /** Set when this copy is a shared group's; a shared group's copy is never merged with others. */
  readonly shareName: string | null;
}

interface MutableDelivery<S> {
  subscriber: S;
  qos: QoS;
  retainAsPublished: boolean;
  subscriptionIdentifiers: number[];
  shareName: string | null;
}

interface SubscriberRecord<S> {
  readonly subscriber: S;
  /** By filter exactly as subscribed, `$share/…` prefix included. */
  readonly subscriptions: Map<string, Subscription<S>>;
  /** The match call that last produced a delivery for this subscriber, and that delivery's index. */
  matchEpoch: number;
  deliveryIndex: number;
}

interface Subscription<S> {
  readonly record: SubscriberRecord<S>;
  readonly node: TrieNode<S>;
  readonly group: SharedGroup<Subscription<S>> | null;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  subscriptionIdentifier: number | undefined;
  memberIndex: number;
}

class TrieNode<S> {
  readonly parent: TrieNode<S> | null;
  /** The filter level this node stands for under its parent: a literal, '+' or '#'. */
  readonly level: string;
  literals: Map<string, TrieNode<S>> | null = null;
  plus: TrieNode<S> | null = null;
  hash: TrieNode<S> | null = null;
  direct: Map<SubscriberRecord<S>, Subscription<S>> | null = null;
  shared: Map<string, SharedGroup<Subscription<S>>> | null = null;

  constructor(parent: TrieNode<S> | null, level: string) {
    this.parent = parent;
    this.level = level;
  }

  isEmpty(): boolean {
    return this.literals === null && this.plus === null && this.hash === null && this.direct === null && this.shared === null;
  }
}

const NO_IDENTIFIERS: readonly number[] = Object.freeze([]);
const DOLLAR = 0x24;

export class SubscriptionTable<S> {
  private readonly root = new TrieNode<S>(null, '');
  private readonly records = new Map<S, SubscriberRecord<S>>();
  private subscriptionCount = 0;
  private trieNodeCount = 0;
  private matchEpoch = 0;

  /** Subscriptions held, shared ones included. */
  get count(): number {
    return this.subscriptionCount;
  }

  /** Trie nodes below the root; zero when the table is empty (removal prunes, nothing leaks). */
  get nodeCount(): number {
    return this.trieNodeCount;
  }

  subscribe(subscriber: S, filter: string, options: SubscriptionOptions): SubscribeOutcome {
    const shared = parseSharedSubscription(filter);
    if (shared === null && (filter.startsWith('$share/') || !isValidTopicFilter(filter))) return 'invalid-filter';
    if (shared !== null && options.noLocal === true) return 'no-local-on-shared-subscription'; // [MQTT-3.8.3-4]

    let record = this.records.get(subscriber);
    const existing = record?.subscriptions.get(filter);
    if (existing !== undefined) {
      // [MQTT-3.8.4-3] an identical filter replaces the subscription; for a shared one the
      // member keeps its place in the group.
      applyOptions(existing, options);
      return 'replaced';
    }
    if (record === undefined) {
      record = { subscriber, subscriptions: new Map(), matchEpoch: 0, deliveryIndex: 0 };
      this.records.set(subscriber, record);
    }

    const node = this.nodeFor(shared === null ? filter : shared.filter);
    let group: SharedGroup<Subscription<S>> | null = null;
    if (shared !== null) {
      node.shared ??= new Map();
      group = node.shared.get(shared.shareName) ?? null;
      if (group === null) {
        group = new SharedGroup(shared.shareName);
        node.shared.set(shared.shareName, group);
      }
    }
    const subscription: Subscription<S> = {
      record,
      node,
      group,
      qos: options.qos,
      noLocal: false,
      retainAsPublished: false,
      subscriptionIdentifier: undefined,
      memberIndex: -1
    };
    applyOptions(subscription, options);
    if (group === null) (node.direct ??= new Map()).set(record, subscription);
    else group.add(subscription);
    record.subscriptions.set(filter, subscription);
    this.subscriptionCount++;
    return 'subscribed';
  }

  /** Whether the subscriber held `filter` (exactly as subscribed, `$share/…` prefix included). */
  unsubscribe(subscriber: S, filter: string): boolean {
    const record = this.records.get(subscriber);
    const subscription = record?.subscriptions.get(filter);
    if (record === undefined || subscription === undefined) return false;
    record.subscriptions.delete(filter);
    if (record.subscriptions.size === 0) this.records.delete(subscriber);
    this.detach(subscription);
    return true;
  }

  /** Drops every subscription of the subscriber (session end); returns how many. */
  unsubscribeAll(subscriber: S): number {
    const record = this.records.get(subscriber);
    if (record === undefined) return 0;
    this.records.delete(subscriber);
    for (const subscription of record.subscriptions.values()) this.detach(subscription);
    const removed = record.subscriptions.size;
    record.subscriptions.clear();
    return removed;
  }

  /**
   * The copies to send for a PUBLISH on `topic` (a valid, mounted topic name). Non-shared
   * subscriptions of one subscriber give one copy; each matching shared group gives one copy to
   * one of its members. `publisher`, when given, is checked against No Local.
   */
  match(topic: string, publisher?: S): Delivery<S>[] {
    const deliveries: MutableDelivery<S>[] = [];
    const epoch = ++this.matchEpoch;
    const levels = topic.split('/');
    // [MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'.
    const dollarTopic = topic.charCodeAt(0) === DOLLAR;
    this.walk(this.root, levels, 0, dollarTopic, publisher, epoch, deliveries);
    return deliveries;
  }

  private walk(
    node: TrieNode<S>,
    levels: readonly string[],
    index: number,
    dollarTopic: boolean,
    publisher: S | undefined,
    epoch: number,
    deliveries: MutableDelivery<S>[]
  ): void {
    const wildcardsAllowed = index > 0 || !dollarTopic; // [MQTT-4.7.2-1]
    // '#' matches the remaining levels, none included: 'a/#' matches 'a' (MQTT 5.0 §4.7.1.2).
    if (node.hash !== null && wildcardsAllowed) this.collect(node.hash, publisher, epoch, deliveries);
    if (index === levels.length) {
      this.collect(node, publisher, epoch, deliveries);
      return;
    }
    const literal = node.literals?.get(levels[index] as string);
    if (literal !== undefined) this.walk(literal, levels, index + 1, dollarTopic, publisher, epoch, deliveries);
    if (node.plus !== null && wildcardsAllowed) this.walk(node.plus, levels, index + 1, dollarTopic, publisher, epoch, deliveries);
  }

  private collect(node: TrieNode<S>, publisher: S | undefined, epoch: number, deliveries: MutableDelivery<S>[]): void {
    if (node.direct !== null) {
      for (const subscription of node.direct.values()) {
        const record = subscription.record;
        // [MQTT-3.8.3-3] No Local: never back to the connection that published it.
        if (subscription.noLocal && publisher !== undefined && record.subscriber === publisher) continue;
        if (record.matchEpoch === epoch) {
          // Overlapping subscriptions: one copy at the highest QoS [MQTT-3.3.4-2] carrying every
          // subscription identifier [MQTT-3.3.4-3]. Retain As Published holds if any asks for it.
          const delivery = deliveries[record.deliveryIndex] as MutableDelivery<S>;
          if (subscription.qos > delivery.qos) delivery.qos = subscription.qos;
          if (subscription.retainAsPublished) delivery.retainAsPublished = true;
          if (subscription.subscriptionIdentifier !== undefined) {
            if (delivery.subscriptionIdentifiers === NO_IDENTIFIERS) delivery.subscriptionIdentifiers = [];
            delivery.subscriptionIdentifiers.push(subscription.subscriptionIdentifier);
          }
          continue;
        }
        record.matchEpoch = epoch;
        record.deliveryIndex = deliveries.length;
        deliveries.push(toDelivery(subscription, null));
      }
    }
    if (node.shared !== null) {
      // Shared subscriptions: one member per group gets the message (MQTT 5.0 §4.8.2); No Local
      // does not apply to them [MQTT-3.8.3-4].
      for (const group of node.shared.values()) {
        const member = group.next();
        if (member !== undefined) deliveries.push(toDelivery(member, group.shareName));
      }
    }
  }

  private nodeFor(filter: string): TrieNode<S> {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child: TrieNode<S> | null | undefined;
      if (level === '+') child = node.plus ??= this.newNode(node, level);
      else if (level === '#') child = node.hash ??= this.newNode(node, level);
      else {
        node.literals ??= new Map();
        child = node.literals.get(level);
        if (child === undefined) {
          child = this.newNode(node, level);
          node.literals.set(level, child);
        }
      }
      node = child;
    }
    return node;
  }

  private newNode(parent: TrieNode<S>, level: string): TrieNode<S> {
    this.trieNodeCount++;
    return new TrieNode(parent, level);
  }

  private detach(subscription: Subscription<S>): void {
    const node = subscription.node;
    const group = subscription.group;
    if (group === null) {
      node.direct?.delete(subscription.record);
      if (node.direct?.size === 0) node.direct = null;
    } else {
      group.remove(subscription);
      if (group.size === 0) node.shared?.delete(group.shareName);
      if (node.shared?.size === 0) node.shared = null;
    }
    this.subscriptionCount--;
    this.prune(node);
  }

  /** Removes nodes left without subscriptions or children, from `node` up. */
  private prune(start: TrieNode<S>): void {
    let node = start;
    while (node.parent !== null && node.isEmpty()) {
      const parent: TrieNode<S> = node.parent;
      if (parent.plus === node) parent.plus = null;
      else if (parent.hash === node) parent.hash = null;
      else {
        parent.literals?.delete(node.level);
        if (parent.literals?.size === 0) parent.literals = null;
      }
      this.trieNodeCount--;
      node = parent;
    }
  }
}

function applyOptions<S>(subscription: Subscription<S>, options: SubscriptionOptions): void {
  subscription.qos = options.qos;
  subscription.noLocal = options.noLocal === true;
  subscription.retainAsPublished = options.retainAsPublished === true;
  subscription.subscriptionIdentifier = options.subscriptionIdentifier;
}

function toDelivery<S>(subscription: Subscription<S>, shareName: string | null): MutableDelivery<S> {
  const identifier = subscription.subscriptionIdentifier;
  return {
    subscriber: subscription.record.subscriber,
    qos: subscription.qos,
    retainAsPublished: subscription.retainAsPublished,
    subscriptionIdentifiers: identifier === undefined ? (NO_IDENTIFIERS as number[]) : [identifier],
    shareName
  };
}
