// One hashed timing wheel per process instead of one timer per connection: a gateway worker holds
// ~19,000 connections, and a timer each would cost a closure, a timer object and a re-arm on every
// packet. Here a connection costs one small record (its item, deadline slot and list links) and a
// Map entry; `touch` is O(1) and `advance` visits only the slots the clock passed.
//
// Time is cut into ticks of `slotWidthMs`. An item with deadline D belongs to tick ⌈D / width⌉, the
// first tick boundary at or after D, and sits in slot `tick mod slotCount`. Advancing to `now`
// scans the slots of the ticks passed since the last advance and expires the entries whose tick
// has been reached: so an item never expires before its deadline, and at most one slot width
// after it (given `advance` runs at least that often). Entries of later revolutions of the wheel
// stay where they are.

export interface KeepaliveWheelOptions {
  /** Tick length: how late past its deadline an item may expire. Positive integer (ms). */
  readonly slotWidthMs: number;
  /** Slots in the wheel; a deadline beyond slotCount × slotWidthMs is rescanned once per revolution. */
  readonly slotCount?: number;
  /** The clock reading the wheel starts from (ms). */
  readonly nowMs: number;
}

interface WheelEntry<T> {
  readonly item: T;
  /** Relative to the wheel's origin, so it stays a small integer. */
  tick: number;
  previous: WheelEntry<T> | null;
  next: WheelEntry<T> | null;
}

const DEFAULT_SLOT_COUNT = 1024;

export class KeepaliveWheel<T> {
  private readonly slotWidthMs: number;
  private readonly slots: (WheelEntry<T> | null)[];
  private readonly entries = new Map<T, WheelEntry<T>>();
  private readonly originTick: number;
  /** The last tick whose slot has been scanned. */
  private currentTick = 0;
  private timer: NodeJS.Timeout | null = null;

  // Options come from the gateway's validated config (CONVENTIONS: config once, validated at start).
  constructor(options: KeepaliveWheelOptions) {
    this.slotWidthMs = options.slotWidthMs;
    this.slots = new Array<WheelEntry<T> | null>(options.slotCount ?? DEFAULT_SLOT_COUNT).fill(null);
    this.originTick = Math.floor(options.nowMs / this.slotWidthMs);
  }

  get size(): number {
    return this.entries.size;
  }

  has(item: T): boolean {
    return this.entries.has(item);
  }

  /**
   * Sets the item's deadline (ms, same clock as `advance`), moving it when it is already held.
   * A deadline whose tick has already been scanned expires at the next tick.
   */
  touch(item: T, deadlineMs: number): void {
    const tick = Math.max(Math.ceil(deadlineMs / this.slotWidthMs) - this.originTick, this.currentTick + 1);
    let entry = this.entries.get(item);
    if (entry === undefined) {
      entry = { item, tick, previous: null, next: null };
      this.entries.set(item, entry);
    } else {
      if (entry.tick === tick) return; // same slot: nothing moves, the common case for chatty clients
      this.unlink(entry);
      entry.tick = tick;
    }
    this.link(entry);
  }

  /** Whether the item was held. */
  remove(item: T): boolean {
    const entry = this.entries.get(item);
    if (entry === undefined) return false;
    this.entries.delete(item);
    this.unlink(entry);
    return true;
  }

  /** The items whose deadline is at or before `nowMs`, each returned once and then forgotten. */
  advance(nowMs: number): T[] {
    const expired: T[] = [];
    const target = Math.floor(nowMs / this.slotWidthMs) - this.originTick;
    if (target <= this.currentTick) return expired;
    // A jump of a whole revolution or more scans every slot once.
    const steps = Math.min(target - this.currentTick, this.slots.length);
    for (let step = 1; step <= steps; step++) {
      let entry = this.slots[(this.currentTick + step) % this.slots.length] ?? null;
      while (entry !== null) {
        const next: WheelEntry<T> | null = entry.next;
        if (entry.tick <= target) {
          this.unlink(entry);
          this.entries.delete(entry.item);
          expired.push(entry.item);
        }
        entry = next;
      }
    }
    this.currentTick = target;
    return expired;
  }

  /**
   * Drives `advance` from one unref'd interval (it never keeps the process alive); `onExpired`
   * gets each non-empty batch. Starting again replaces the previous interval.
   */
  start(intervalMs: number, now: () => number, onExpired: (items: T[]) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      const expired = this.advance(now());
      if (expired.length > 0) onExpired(expired);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private link(entry: WheelEntry<T>): void {
    const slot = entry.tick % this.slots.length;
    const head = this.slots[slot] ?? null;
    entry.previous = null;
    entry.next = head;
    if (head !== null) head.previous = entry;
    this.slots[slot] = entry;
  }

  private unlink(entry: WheelEntry<T>): void {
    if (entry.previous !== null) entry.previous.next = entry.next;
    else this.slots[entry.tick % this.slots.length] = entry.next;
    if (entry.next !== null) entry.next.previous = entry.previous;
    entry.previous = null;
    entry.next = null;
  }
}
