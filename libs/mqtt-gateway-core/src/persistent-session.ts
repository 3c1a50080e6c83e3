import type { StoredSession, StoredSubscription } from './session-store.ts';

/**
 * The part of a live session that outlives its connection (Session Expiry Interval > 0): its
 * subscriptions as the client made them, kept so that they can be saved and restored. Created
 * only for persistent sessions.
 */
export class PersistentSession {
  /** As granted: the client's request capped by the gateway's maximum. v5 DISCONNECT may change it. */
  expirySeconds: number;
  private readonly subscriptions = new Map<string, StoredSubscription>();

  constructor(expirySeconds: number, subscriptions: readonly StoredSubscription[]) {
    this.expirySeconds = expirySeconds;
    for (const subscription of subscriptions) this.subscriptions.set(subscription.mountedFilter, subscription);
  }

  subscribed(subscription: StoredSubscription): void {
    this.subscriptions.set(subscription.mountedFilter, subscription);
  }

  unsubscribed(mountedFilter: string): void {
    this.subscriptions.delete(mountedFilter);
  }

  subscriptionList(): StoredSubscription[] {
    return [...this.subscriptions.values()];
  }

  toStored(awaitingRelease: readonly number[]): StoredSession {
    return { expirySeconds: this.expirySeconds, subscriptions: this.subscriptionList(), awaitingRelease };
  }
}
