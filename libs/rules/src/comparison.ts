import type { ComparisonOperator, RuleDeviceSelector } from '@plexus/contracts';

export function compare(measured: number, operator: ComparisonOperator, value: number): boolean {
  switch (operator) {
    case '>':
      return measured > value;
    case '>=':
      return measured >= value;
    case '<':
      return measured < value;
    case '<=':
      return measured <= value;
    case '==':
      return measured === value;
    case '!=':
      return measured !== value;
  }
}

export function selectsDevice(selector: RuleDeviceSelector, deviceId: string): boolean {
  if (selector.all) return true;
  if (selector.deviceId !== undefined) return selector.deviceId === deviceId;
  return selector.deviceIds?.includes(deviceId) ?? false;
}

/** The devices a selector names; empty for `all`, whose devices are known only from their points. */
export function listedDevices(selector: RuleDeviceSelector): readonly string[] {
  if (selector.deviceId !== undefined) return [selector.deviceId];
  return selector.deviceIds ?? [];
}
