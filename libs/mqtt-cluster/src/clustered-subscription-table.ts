import type { Subscriber } from '@plexus/mqtt-gateway-core';
import { SubscriptionTable, type SubscribeOutcome, type SubscriptionOptions } from '@plexus/mqtt-routing';
import type { FilterDirectory } from './filter-directory.ts';

/**
 * The gateway's subscription table, announcing to the cluster the filters other nodes must
 * forward here. A device's own subscriptions are not announced: a device subscribes only within
 * its own subtree, and messages for it are sent to wherever its presence says it is. A million
 * devices therefore cost the directory nothing; apps' filters are what it holds.
 */
export class ClusteredSubscriptionTable extends SubscriptionTable<Subscriber> {
  private readonly directory: FilterDirectory;
  private readonly announced = new WeakMap<Subscriber, Set<string>>();

  constructor(directory: FilterDirectory) {
    super();
    this.directory = directory;
  }

  override subscribe(subscriber: Subscriber, filter: string, options: SubscriptionOptions): SubscribeOutcome {
    const outcome = super.subscribe(subscriber, filter, options);
    if (outcome === 'subscribed' && subscriber.principal?.kind !== 'device') {
      let filters = this.announced.get(subscriber);
      if (!filters) this.announced.set(subscriber, (filters = new Set()));
      filters.add(filter);
      this.directory.add(filter);
    }
    return outcome;
  }

  override unsubscribe(subscriber: Subscriber, filter: string): boolean {
    const removed = super.unsubscribe(subscriber, filter);
    const filters = this.announced.get(subscriber);
    if (removed && filters?.delete(filter)) this.directory.remove(filter);
    return removed;
  }

  override unsubscribeAll(subscriber: Subscriber): number {
    const count = super.unsubscribeAll(subscriber);
    const filters = this.announced.get(subscriber);
    if (filters) {
      this.announced.delete(subscriber);
      for (const filter of filters) this.directory.remove(filter);
    }
    return count;
  }
}
