import type { Alert, AlertEvent } from '@plexus/contracts';
import type { ConditionKind, StoredRule } from './stored-rule.ts';

const TIME_DIGITS = 13;

/**
 * `<opened at, epoch ms, 13 digits>~<rule id>~<device id>`: the same points give the same id (a
 * replayed stream records nothing twice), and ids sort by opening time, so a tenant's alerts of
 * a time range are one `_id` range in the store. `~` appears in neither rule nor device ids.
 */
export function alertId(openedAt: number, ruleId: string, deviceId: string): string {
  return `${String(openedAt).padStart(TIME_DIGITS, '0')}~${ruleId}~${deviceId}`;
}

/** The smallest alert id opened at or after `at`, for time-range bounds. */
export function alertIdLowerBound(at: number): string {
  return String(at).padStart(TIME_DIGITS, '0');
}

export interface Opening {
  rule: StoredRule;
  kind: ConditionKind;
  deviceId: string;
  at: number;
  value: number;
  message: string;
}

export function openedAlert(opening: Opening): Alert {
  return {
    id: alertId(opening.at, opening.rule.id, opening.deviceId),
    tenantId: opening.rule.tenantId,
    ruleId: opening.rule.id,
    ruleName: opening.rule.name,
    deviceId: opening.deviceId,
    condition: opening.kind,
    severity: opening.rule.severity,
    state: 'open',
    openedAt: new Date(opening.at).toISOString(),
    openValue: opening.value,
    message: opening.message,
    resolvedAt: null,
    resolvedValue: null
  };
}

export function resolvedAlert(open: Alert, at: number, value: number | null): Alert {
  return { ...open, state: 'resolved', resolvedAt: new Date(at).toISOString(), resolvedValue: value };
}

export function openedEvent(alert: Alert): AlertEvent {
  return { kind: 'opened', alert };
}

export function resolvedEvent(alert: Alert): AlertEvent {
  return { kind: 'resolved', alert };
}

/** Rounds for messages only; stored values keep full precision. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
