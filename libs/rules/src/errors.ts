import { defineError } from '@plexus/errors';

export const RulesErrors = {
  ruleNotFound: defineError<[string]>('PLX_RULES_RULE_NOT_FOUND', 404, 'rule %s not found'),
  ruleExists: defineError<[string]>('PLX_RULES_RULE_EXISTS', 409, 'rule %s already exists'),
  tooManyRules: defineError<[number]>('PLX_RULES_TOO_MANY_RULES', 409, 'a tenant holds at most %s rules; delete one first'),
  alertNotFound: defineError<[string]>('PLX_RULES_ALERT_NOT_FOUND', 404, 'alert %s not found'),
  invalidCursor: defineError('PLX_RULES_INVALID_CURSOR', 400, 'cursor is not one this API returned'),
  invalidTimeRange: defineError<[{ field: string }]>('PLX_RULES_INVALID_TIME_RANGE', 400, '`from` must be before `to`')
} as const;
