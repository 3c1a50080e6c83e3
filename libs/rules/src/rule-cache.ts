import type { RuleSource } from './alert-engine.ts';
import type { StoredRule } from './stored-rule.ts';

/** What the cache reads; RuleStore implements it. */
export interface RuleReader {
  listAllRules(): Promise<StoredRule[]>;
  listTenantRules(tenantId: string): Promise<StoredRule[]>;
}

export interface RuleCacheOptions {
  reader: RuleReader;
  /** A full reload this often repairs any change notification that was missed. */
  refreshIntervalMs?: number;
}

/**
 * Every enabled rule in memory, so evaluating a point never waits for the store. A change made
 * through any process reaches this one by notification (`reloadTenant`, wired to RuleChanges),
 * and at the latest with the next periodic full reload.
 */
export class RuleCache implements RuleSource {
  private readonly reader: RuleReader;
  private readonly refreshIntervalMs: number;
  private byTenant = new Map<string, readonly StoredRule[]>();
  private timer: NodeJS.Timeout | null = null;
  /** Tenants reloaded while a full reload runs: newer than what that reload read, so they win. */
  private reloadedDuringRefresh: Map<string, readonly StoredRule[]> | null = null;

  constructor(options: RuleCacheOptions) {
    this.reader = options.reader;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
  }

  /** Loads every rule, then reloads every `refreshIntervalMs` until `stop()`. */
  async start(onRefreshError: (error: unknown) => void): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch(onRefreshError), this.refreshIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh(): Promise<void> {
    const reloaded = new Map<string, readonly StoredRule[]>();
    this.reloadedDuringRefresh = reloaded;
    try {
      const byTenant = new Map<string, readonly StoredRule[]>();
      for (const rule of await this.reader.listAllRules()) {
        if (!rule.enabled) continue;
        byTenant.set(rule.tenantId, [...(byTenant.get(rule.tenantId) ?? []), rule]);
      }
      for (const [tenantId, rules] of reloaded) byTenant.set(tenantId, rules);
      this.byTenant = byTenant;
    } finally {
      if (this.reloadedDuringRefresh === reloaded) this.reloadedDuringRefresh = null;
    }
  }

  async reloadTenant(tenantId: string): Promise<void> {
    const rules = (await this.reader.listTenantRules(tenantId)).filter((rule) => rule.enabled);
    this.reloadedDuringRefresh?.set(tenantId, rules);
    this.byTenant.set(tenantId, rules);
  }

  rulesOf(tenantId: string): readonly StoredRule[] {
    return this.byTenant.get(tenantId) ?? [];
  }

  *allRules(): Iterable<StoredRule> {
    for (const rules of this.byTenant.values()) yield* rules;
  }
}
