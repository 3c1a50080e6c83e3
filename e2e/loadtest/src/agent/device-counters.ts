// What the agent counts: per device (typed arrays, a few bytes each, so 18k devices cost
// ~200 KB) the numbers the loss check compares with storage, and agent-wide totals and errors
// by kind for the stats it reports every interval.

export class DeviceCounters {
  readonly connectsPerDevice: Uint32Array;
  readonly sentPerDevice: Uint32Array;
  readonly ackedPerDevice: Uint32Array;
  devicesStarted = 0;
  devicesFinished = 0;
  connected = 0;
  connects = 0;
  publishesSent = 0;
  acked = 0;
  received = 0;
  private readonly errorsByKind = new Map<string, number>();

  constructor(devices: number) {
    this.connectsPerDevice = new Uint32Array(devices);
    this.sentPerDevice = new Uint32Array(devices);
    this.ackedPerDevice = new Uint32Array(devices);
  }

  countConnect(device: number): void {
    this.connectsPerDevice[device]! += 1;
    this.connects += 1;
    this.connected += 1;
  }

  countConnectionEnded(): void {
    this.connected -= 1;
  }

  countPublish(device: number): void {
    this.sentPerDevice[device]! += 1;
    this.publishesSent += 1;
  }

  countAck(device: number): void {
    this.ackedPerDevice[device]! += 1;
    this.acked += 1;
  }

  /** Kinds: `connect_refused:<code>`, `connect_timeout`, `connect_error:<errno>`, `closed_by_server`, `puback_error`, … */
  countError(kind: string, times = 1): void {
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + times);
  }

  errors(): Record<string, number> {
    return Object.fromEntries(this.errorsByKind);
  }
}
