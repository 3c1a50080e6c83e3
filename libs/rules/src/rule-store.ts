import type { Collection, Db } from 'mongodb';
import type { RuleCreate, RuleUpdate } from '@plexus/contracts';
import { RulesErrors } from './errors.ts';
import type { RuleChangePublisher } from './rule-changes.ts';
import type { RuleReader } from './rule-cache.ts';
import { decodeCursor, encodeCursor, isDuplicateKeyError, localIdOf, tenantKey, tenantRange, type Page } from './store-keys.ts';
import { newStoredRule, updatedStoredRule, type StoredRule } from './stored-rule.ts';

/** A stored rule keyed by `tenant/ruleId`; the rest is the StoredRule without its id. */
export type RuleDocument = Omit<StoredRule, 'id'> & { _id: string };

export interface RuleStoreOptions {
  db: Db;
  /** Told after every write so every process's RuleCache reloads the tenant. */
  changes?: RuleChangePublisher;
  maxRulesPerTenant?: number;
  now?: () => Date;
}

export class RuleStore implements RuleReader {
  private readonly rules: Collection<RuleDocument>;
  private readonly changes: RuleChangePublisher | undefined;
  private readonly maxRulesPerTenant: number;
  private readonly now: () => Date;

  constructor(options: RuleStoreOptions) {
    this.rules = options.db.collection('rules');
    this.changes = options.changes;
    this.maxRulesPerTenant = options.maxRulesPerTenant ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  async create(tenantId: string, body: RuleCreate): Promise<StoredRule> {
    // Checked before the insert, so concurrent creates may pass the bound by a few: it limits
    // evaluation cost, it is not an invariant.
    if ((await this.rules.countDocuments({ _id: tenantRange(tenantId) })) >= this.maxRulesPerTenant) {
      throw RulesErrors.tooManyRules(this.maxRulesPerTenant);
    }
    const rule = newStoredRule(tenantId, body, this.now());
    try {
      await this.rules.insertOne(toDocument(rule));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw RulesErrors.ruleExists(body.id);
      throw error;
    }
    await this.changes?.publish(tenantId);
    return rule;
  }

  async get(tenantId: string, ruleId: string): Promise<StoredRule> {
    const doc = await this.rules.findOne({ _id: tenantKey(tenantId, ruleId) });
    if (!doc) throw RulesErrors.ruleNotFound(ruleId);
    return fromDocument(doc);
  }

  /** Replaces the given fields; the version check makes a concurrent update retry instead of losing one side. */
  async update(tenantId: string, ruleId: string, update: RuleUpdate): Promise<StoredRule> {
    for (;;) {
      const current = await this.get(tenantId, ruleId);
      const next = updatedStoredRule(current, update, this.now());
      const result = await this.rules.replaceOne({ _id: tenantKey(tenantId, ruleId), version: current.version }, toDocument(next));
      if (result.matchedCount === 1) {
        await this.changes?.publish(tenantId);
        return next;
      }
    }
  }

  async remove(tenantId: string, ruleId: string): Promise<void> {
    const result = await this.rules.deleteOne({ _id: tenantKey(tenantId, ruleId) });
    if (result.deletedCount === 0) throw RulesErrors.ruleNotFound(ruleId);
    await this.changes?.publish(tenantId);
  }

  /** A tenant's rules in id order, a page at a time. */
  async list(tenantId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<StoredRule>> {
    const range = tenantRange(tenantId);
    const filter = { _id: page.cursor ? { $gt: tenantKey(tenantId, decodeCursor(page.cursor)), $lt: range.$lt } : range };
    const docs = await this.rules.find(filter).sort({ _id: 1 }).limit(page.limit + 1).toArray();
    const hasMore = docs.length > page.limit;
    const items = (hasMore ? docs.slice(0, page.limit) : docs).map(fromDocument);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.id) : null };
  }

  async listTenantRules(tenantId: string): Promise<StoredRule[]> {
    return (await this.rules.find({ _id: tenantRange(tenantId) }).sort({ _id: 1 }).toArray()).map(fromDocument);
  }

  /** Every tenant's rules: a scan, made by each RuleCache at start and on its refresh interval. */
  async listAllRules(): Promise<StoredRule[]> {
    return (await this.rules.find({}).toArray()).map(fromDocument);
  }
}

function toDocument(rule: StoredRule): RuleDocument {
  const { id, ...fields } = rule;
  return { _id: tenantKey(rule.tenantId, id), ...fields };
}

function fromDocument(doc: RuleDocument): StoredRule {
  const { _id, ...fields } = doc;
  return { id: localIdOf(_id), ...fields };
}
