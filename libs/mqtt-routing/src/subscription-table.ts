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
//
// Most of a gateway's subscriptions are devices on their own commands topic: one subscriber per
// leaf, one child per device level, one subscription per device. Those "ones" are stored inline
// and become a Map only at the second entry, which keeps a subscription to about a third of the
// memory that a Map per node and per subscriber costs.

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
  /** By filter exactly as subscribed, `$share/…` prefix included; a single one inline (null only while the first is added). */
  subscriptions: Subscription<S> | Map<string, Subscription<S>> | null;
  /** The match call that last produced a delivery for this subscriber, and that delivery's index. */
  matchEpoch: number;
  deliveryIndex: number;
}

interface Subscription<S> {
  /** Exactly as subscribed, `$share/…` prefix included. */
  readonly filter: string;
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
  /** Literal children by level; a single child inline (its `level` is the key). */
  literals: TrieNode<S> | Map<string, TrieNode<S>> | null = null;
  plus: TrieNode<S> | null = null;
  hash: TrieNode<S> | null = null;
  /** Non-shared subscriptions by subscriber; a single one inline. */
  direct: Subscription<S> | Map<SubscriberRecord<S>, Subscription<S>> | null = null;
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
    const existing = record === undefined ? undefined : findSubscription(record, filter);
    if (existing !== undefined) {
      // [MQTT-3.8.4-3] an identical filter replaces the subscription; for a shared one the
      // member keeps its place in the group.
      applyOptions(existing, options);
      return 'replaced';
    }
    if (record === undefined) {
      record = { subscriber, subscriptions: null, matchEpoch: 0, deliveryIndex: 0 };
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
      filter,
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
    if (group === null) addDirect(node, subscription);
    else group.add(subscription);
    addToRecord(record, subscription);
    this.subscriptionCount++;
    return 'subscribed';
  }

  /** Whether the subscriber held `filter` (exactly as subscribed, `$share/…` prefix included). */
  unsubscribe(subscriber: S, filter: string): boolean {
    const record = this.records.get(subscriber);
    const subscription = record === undefined ? undefined : findSubscription(record, filter);
    if (record === undefined || subscription === undefined) return false;
    if (removeFromRecord(record, subscription)) this.records.delete(subscriber);
    this.detach(subscription);
    return true;
  }

  /** Drops every subscription of the subscriber (session end); returns how many. */
  unsubscribeAll(subscriber: S): number {
    const record = this.records.get(subscriber);
    if (record === undefined) return 0;
    this.records.delete(subscriber);
    if (record.subscriptions === null) return 0;
    if (!(record.subscriptions instanceof Map)) {
      this.detach(record.subscriptions);
      return 1;
    }
    for (const subscription of record.subscriptions.values()) this.detach(subscription);
    return record.subscriptions.size;
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
    const literal = literalChild(node, levels[index] as string);
    if (literal !== undefined) this.walk(literal, levels, index + 1, dollarTopic, publisher, epoch, deliveries);
    if (node.plus !== null && wildcardsAllowed) this.walk(node.plus, levels, index + 1, dollarTopic, publisher, epoch, deliveries);
  }

  private collect(node: TrieNode<S>, publisher: S | undefined, epoch: number, deliveries: MutableDelivery<S>[]): void {
    const direct = node.direct;
    if (direct instanceof Map) {
      for (const subscription of direct.values()) deliverDirect(subscription, publisher, epoch, deliveries);
    } else if (direct !== null) {
      deliverDirect(direct, publisher, epoch, deliveries);
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
        child = literalChild(node, level);
        if (child === undefined) {
          child = this.newNode(node, level);
          addLiteralChild(node, child);
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
      removeDirect(node, subscription);
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
      else removeLiteralChild(parent, node);
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

function deliverDirect<S>(subscription: Subscription<S>, publisher: S | undefined, epoch: number, deliveries: MutableDelivery<S>[]): void {
  const record = subscription.record;
  // [MQTT-3.8.3-3] No Local: never back to the connection that published it.
  if (subscription.noLocal && publisher !== undefined && record.subscriber === publisher) return;
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
    return;
  }
  // The first copy for this subscriber in this match: remember where it is, for merging.
  record.matchEpoch = epoch;
  record.deliveryIndex = deliveries.length;
  deliveries.push(toDelivery(subscription, null));
}

// The inline-one-then-Map containers.

function literalChild<S>(node: TrieNode<S>, level: string): TrieNode<S> | undefined {
  const literals = node.literals;
  if (literals instanceof Map) return literals.get(level);
  return literals !== null && literals.level === level ? literals : undefined;
}

function addLiteralChild<S>(node: TrieNode<S>, child: TrieNode<S>): void {
  const literals = node.literals;
  if (literals === null) node.literals = child;
  else if (literals instanceof Map) literals.set(child.level, child);
  else node.literals = new Map([[literals.level, literals], [child.level, child]]);
}

function removeLiteralChild<S>(node: TrieNode<S>, child: TrieNode<S>): void {
  const literals = node.literals;
  if (literals === child) node.literals = null;
  else if (literals instanceof Map) {
    literals.delete(child.level);
    if (literals.size === 1) node.literals = literals.values().next().value ?? null;
  }
}

function addDirect<S>(node: TrieNode<S>, subscription: Subscription<S>): void {
  const direct = node.direct;
  if (direct === null) node.direct = subscription;
  else if (direct instanceof Map) direct.set(subscription.record, subscription);
  else node.direct = new Map([[direct.record, direct], [subscription.record, subscription]]);
}

function removeDirect<S>(node: TrieNode<S>, subscription: Subscription<S>): void {
  const direct = node.direct;
  if (direct === subscription) node.direct = null;
  else if (direct instanceof Map) {
    direct.delete(subscription.record);
    if (direct.size === 1) node.direct = direct.values().next().value ?? null;
  }
}

function findSubscription<S>(record: SubscriberRecord<S>, filter: string): Subscription<S> | undefined {
  const subscriptions = record.subscriptions;
  if (subscriptions instanceof Map) return subscriptions.get(filter);
  return subscriptions !== null && subscriptions.filter === filter ? subscriptions : undefined;
}

function addToRecord<S>(record: SubscriberRecord<S>, subscription: Subscription<S>): void {
  const subscriptions = record.subscriptions;
  if (subscriptions === null) record.subscriptions = subscription;
  else if (subscriptions instanceof Map) subscriptions.set(subscription.filter, subscription);
  else {
    record.subscriptions = new Map([[subscriptions.filter, subscriptions], [subscription.filter, subscription]]);
  }
}

/** Whether the record is left without subscriptions. */
function removeFromRecord<S>(record: SubscriberRecord<S>, subscription: Subscription<S>): boolean {
  const subscriptions = record.subscriptions;
  if (subscriptions === subscription) return true;
  if (subscriptions instanceof Map) {
    subscriptions.delete(subscription.filter);
    if (subscriptions.size === 1) record.subscriptions = subscriptions.values().next().value as Subscription<S>;
    return subscriptions.size === 0;
  }
  return false;
}
