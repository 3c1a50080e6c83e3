import type { Collection, Db, Filter } from 'mongodb';
import type { Alert, AlertEvent, ListAlertsQuery } from '@plexus/contracts';
import { alertIdLowerBound } from './alert-records.ts';
import { RulesErrors } from './errors.ts';
import { decodeCursor, encodeCursor, isDuplicateKeyError, localIdOf, tenantKey, tenantRange, type Page } from './store-keys.ts';

/** An alert keyed by `tenant/alertId`; alert ids start with the opening time, so `_id` order is time order. */
export type AlertDocument = Omit<Alert, 'id'> & { _id: string };

export type AlertListQuery = Omit<ListAlertsQuery, 'limit'> & { limit: number };

/**
 * Alerts, one record per episode: an `opened` event inserts it, a `resolved` event marks it
 * resolved. Recording is idempotent (alert ids are stable), so replayed events change nothing
 * and `record` tells which events were new: only those are delivered.
 */
export class AlertStore {
  private readonly db: Db;
  private readonly alerts: Collection<AlertDocument>;

  constructor(db: Db) {
    this.db = db;
    this.alerts = db.collection('alerts');
  }

  /** The events that changed the store, in order; the others were recorded before. */
  async record(events: readonly AlertEvent[]): Promise<AlertEvent[]> {
    const recorded: AlertEvent[] = [];
    for (const event of events) {
      if (await this.recordOne(event)) recorded.push(event);
    }
    return recorded;
  }

  async get(tenantId: string, alertId: string): Promise<Alert> {
    const doc = await this.alerts.findOne({ _id: tenantKey(tenantId, alertId) });
    if (!doc) throw RulesErrors.alertNotFound(alertId);
    return fromDocument(doc);
  }

  /**
   * A tenant's alerts, newest opened first. The time range bounds the `_id` range; state, rule
   * and device filter within it (a scan of that range on FerretDB).
   */
  async list(tenantId: string, query: AlertListQuery): Promise<Page<Alert>> {
    const range = tenantRange(tenantId);
    const from = query.from === undefined ? range.$gt : tenantKey(tenantId, alertIdLowerBound(Date.parse(query.from)));
    let upper = query.to === undefined ? range.$lt : tenantKey(tenantId, alertIdLowerBound(Date.parse(query.to)));
    if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) >= Date.parse(query.to)) {
      throw RulesErrors.invalidTimeRange({ field: 'querystring/from' });
    }
    if (query.cursor !== undefined) {
      const after = tenantKey(tenantId, decodeCursor(query.cursor));
      if (after < upper) upper = after;
    }
    const filter: Filter<AlertDocument> = { _id: { $gte: from, $lt: upper } };
    if (query.state) filter.state = query.state;
    if (query.ruleId) filter.ruleId = query.ruleId;
    if (query.deviceId) filter.deviceId = query.deviceId;
    const docs = await this.alerts.find(filter).sort({ _id: -1 }).limit(query.limit + 1).toArray();
    const hasMore = docs.length > query.limit;
    const items = (hasMore ? docs.slice(0, query.limit) : docs).map(fromDocument);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.id) : null };
  }

  /** Every tenant's open alerts, for AlertEngine.restoreOpenAlerts at start (a scan on FerretDB). */
  async openAlerts(): Promise<Alert[]> {
    return (await this.alerts.find({ state: 'open' }).toArray()).map(fromDocument);
  }

  /** Indexes for the list filters on MongoDB; FerretDB plans everything but `_id` as a scan, so there they only slow writes. */
  async ensureIndexes(): Promise<void> {
    const buildInfo = await this.db.admin().command({ buildInfo: 1 });
    if ('ferretdbVersion' in buildInfo) return;
    await Promise.all([
      this.alerts.createIndex({ state: 1, _id: -1 }),
      this.alerts.createIndex({ ruleId: 1, _id: -1 }),
      this.alerts.createIndex({ deviceId: 1, _id: -1 })
    ]);
  }

  private async recordOne(event: AlertEvent): Promise<boolean> {
    const _id = tenantKey(event.alert.tenantId, event.alert.id);
    if (event.kind === 'resolved') {
      const { resolvedAt, resolvedValue } = event.alert;
      const result = await this.alerts.updateOne({ _id, state: 'open' }, { $set: { state: 'resolved', resolvedAt, resolvedValue } });
      if (result.matchedCount === 1) return true;
    }
    // An opening, or a resolution whose opening was never stored (the process stopped between
    // the two): the record is inserted whole, once.
    try {
      await this.alerts.insertOne(toDocument(event.alert));
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toDocument(alert: Alert): AlertDocument {
  const { id, ...fields } = alert;
  return { _id: tenantKey(alert.tenantId, id), ...fields };
}

function fromDocument(doc: AlertDocument): Alert {
  const { _id, ...fields } = doc;
  return { id: localIdOf(_id), ...fields };
}
