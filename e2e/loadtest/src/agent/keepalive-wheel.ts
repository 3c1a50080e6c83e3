// One timer per agent for every connection's keepalive. Each connection sits in the wheel slot
// of the tick its next ping is due, linked through its own fields (no array or timer of its
// own). A ping is due by the time elapsed since the connection last SENT anything
// [MQTT-3.1.2-23], so publishes postpone pings without touching the wheel: a connection found
// in its slot but not yet due is simply moved on. A tick that fires late under event-loop lag
// walks every slot it missed, so overdue pings go out at once instead of being skipped.

export interface KeepaliveMember {
  /** Monotonic ms (performance.now()) when the connection last sent a packet. */
  lastSentAt: number;
  /** The Keep Alive the connection announced in CONNECT, in ms. */
  readonly keepaliveMs: number;
  wheelSlot: number;
  wheelNext: KeepaliveMember | null;
  wheelPrev: KeepaliveMember | null;
  /** Sends PINGREQ, which sets `lastSentAt`. */
  ping(now: number): void;
}

export interface KeepaliveWheelOptions {
  readonly tickMs?: number;
  readonly slots?: number;
  readonly now?: () => number;
}

const NOT_IN_WHEEL = -1;

export class KeepaliveWheel {
  private readonly tickMs: number;
  private readonly heads: (KeepaliveMember | null)[];
  private readonly now: () => number;
  private lastTick: number;
  private timer: NodeJS.Timeout | null = null;
  size = 0;
  pingsSent = 0;

  constructor(options: KeepaliveWheelOptions = {}) {
    this.tickMs = options.tickMs ?? 1000;
    this.heads = new Array<KeepaliveMember | null>(options.slots ?? 512).fill(null);
    this.now = options.now ?? (() => performance.now());
    this.lastTick = Math.floor(this.now() / this.tickMs);
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(this.now()), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Adds a connection (once: adding a member already in the wheel moves it). */
  add(member: KeepaliveMember): void {
    // Keep Alive 0 turns the mechanism off (MQTT 5 §3.1.2.10): such a connection never pings.
    if (member.keepaliveMs <= 0) return;
    if (member.wheelSlot !== NOT_IN_WHEEL) this.remove(member);
    this.insert(member, this.dueTick(member));
    this.size += 1;
  }

  remove(member: KeepaliveMember): void {
    if (member.wheelSlot === NOT_IN_WHEEL) return;
    this.unlink(member);
    this.size -= 1;
  }

  /** Pings every member due by `now`, walking every slot since the previous tick. */
  tick(now: number): void {
    const currentTick = Math.floor(now / this.tickMs);
    const slotCount = this.heads.length;
    // A lag longer than a whole turn needs each slot visited once, not once per missed tick.
    const firstTick = Math.max(this.lastTick + 1, currentTick - slotCount + 1);
    this.lastTick = currentTick;
    for (let tick = firstTick; tick <= currentTick; tick++) {
      const slot = tick % slotCount;
      let member = this.heads[slot] ?? null;
      // The slot's list is taken whole, so members put back into this same slot wait a turn.
      this.heads[slot] = null;
      while (member !== null) {
        const next = member.wheelNext;
        member.wheelNext = null;
        member.wheelPrev = null;
        member.wheelSlot = NOT_IN_WHEEL;
        if (this.pingDueAt(member) <= now) {
          member.ping(now);
          this.pingsSent += 1;
        }
        this.insert(member, Math.max(this.dueTick(member), currentTick + 1));
        member = next;
      }
    }
  }

  /** One tick early, so a tick that fires on time never lets the interval exceed Keep Alive. */
  private pingDueAt(member: KeepaliveMember): number {
    return member.lastSentAt + Math.max(this.tickMs, member.keepaliveMs - this.tickMs);
  }

  private dueTick(member: KeepaliveMember): number {
    return Math.max(Math.ceil(this.pingDueAt(member) / this.tickMs), this.lastTick + 1);
  }

  private insert(member: KeepaliveMember, tick: number): void {
    const slot = tick % this.heads.length;
    const head = this.heads[slot] ?? null;
    member.wheelSlot = slot;
    member.wheelPrev = null;
    member.wheelNext = head;
    if (head !== null) head.wheelPrev = member;
    this.heads[slot] = member;
  }

  private unlink(member: KeepaliveMember): void {
    if (member.wheelPrev !== null) member.wheelPrev.wheelNext = member.wheelNext;
    else this.heads[member.wheelSlot] = member.wheelNext;
    if (member.wheelNext !== null) member.wheelNext.wheelPrev = member.wheelPrev;
    member.wheelSlot = NOT_IN_WHEEL;
    member.wheelNext = null;
    member.wheelPrev = null;
  }
}

export const notInWheel = NOT_IN_WHEEL;
