import type { Rule, RuleCondition, RuleCreate, RuleUpdate, RuleWebhookInput } from '@plexus/contracts';

/** A rule as the engine and the webhook delivery need it: the API's view plus the webhook secret. */
export type StoredRule = Omit<Rule, 'webhook'> & { webhook: RuleWebhookInput | null };

export const DEFAULT_SEVERITY = 'warning';

export function newStoredRule(tenantId: string, body: RuleCreate, now: Date): StoredRule {
  const at = now.toISOString();
  const rule: StoredRule = {
    id: body.id,
    tenantId,
    name: body.name ?? body.id,
    enabled: body.enabled ?? true,
    devices: body.devices,
    condition: body.condition,
    severity: body.severity ?? DEFAULT_SEVERITY,
    cooldownSeconds: body.cooldownSeconds ?? 0,
    webhook: body.webhook ?? null,
    version: 1,
    createdAt: at,
    updatedAt: at
  };
  if (body.stream !== undefined) rule.stream = body.stream;
  return rule;
}

/** The rule after an update: given fields replace the old ones whole; the version moves on. */
export function updatedStoredRule(rule: StoredRule, update: RuleUpdate, now: Date): StoredRule {
  const next: StoredRule = { ...rule, version: rule.version + 1, updatedAt: now.toISOString() };
  if (update.name !== undefined) next.name = update.name;
  if (update.enabled !== undefined) next.enabled = update.enabled;
  if (update.devices !== undefined) next.devices = update.devices;
  if (update.stream !== undefined) next.stream = update.stream;
  if (update.condition !== undefined) next.condition = update.condition;
  if (update.severity !== undefined) next.severity = update.severity;
  if (update.cooldownSeconds !== undefined) next.cooldownSeconds = update.cooldownSeconds;
  if (update.webhook !== undefined) next.webhook = update.webhook;
  return next;
}

/** What the API returns: the webhook's secret stays write-only. */
export function toRuleView(rule: StoredRule): Rule {
  const { webhook, ...rest } = rule;
  return { ...rest, webhook: webhook ? { url: webhook.url, signed: webhook.secret !== undefined } : null };
}

export type ConditionKind = 'threshold' | 'rateOfChange' | 'absence';

/** The one condition a rule holds (the schema allows exactly one). */
export type ActiveCondition =
  | { kind: 'threshold'; spec: NonNullable<RuleCondition['threshold']> }
  | { kind: 'rateOfChange'; spec: NonNullable<RuleCondition['rateOfChange']> }
  | { kind: 'absence'; spec: NonNullable<RuleCondition['absence']> };

export function activeCondition(condition: RuleCondition): ActiveCondition {
  if (condition.threshold) return { kind: 'threshold', spec: condition.threshold };
  if (condition.rateOfChange) return { kind: 'rateOfChange', spec: condition.rateOfChange };
  if (condition.absence) return { kind: 'absence', spec: condition.absence };
  throw new TypeError('a rule condition holds one of threshold, rateOfChange, absence');
}
