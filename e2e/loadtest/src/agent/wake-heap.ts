// When each device next needs the scheduler (end of a think time, a connect or drain deadline),
// as an indexed binary min-heap over device numbers: three typed arrays, 16 bytes a device, so
// 18k devices wait on one timer instead of 18k timers or promises. A device has at most one
// wake-up; setting another replaces it.

const ABSENT = -1;

export class WakeHeap {
  private readonly times: Float64Array;
  private readonly heap: Int32Array;
  private readonly positions: Int32Array;
  size = 0;

  constructor(devices: number) {
    this.times = new Float64Array(devices);
    this.heap = new Int32Array(devices);
    this.positions = new Int32Array(devices).fill(ABSENT);
  }

  set(device: number, time: number): void {
    const position = this.positions[device]!;
    this.times[device] = time;
    if (position === ABSENT) {
      this.heap[this.size] = device;
      this.positions[device] = this.size;
      this.size += 1;
      this.up(this.size - 1);
    } else {
      this.up(position);
      this.down(this.positions[device]!);
    }
  }

  remove(device: number): void {
    const position = this.positions[device]!;
    if (position === ABSENT) return;
    this.size -= 1;
    this.positions[device] = ABSENT;
    if (position === this.size) return;
    const last = this.heap[this.size]!;
    this.heap[position] = last;
    this.positions[last] = position;
    this.up(position);
    this.down(this.positions[last]!);
  }

  /** The earliest wake-up time, Infinity when nobody waits. */
  peekTime(): number {
    return this.size === 0 ? Infinity : this.times[this.heap[0]!]!;
  }

  /** Removes and returns the earliest device due by `now`, or -1. */
  popDue(now: number): number {
    if (this.size === 0) return -1;
    const device = this.heap[0]!;
    if (this.times[device]! > now) return -1;
    this.remove(device);
    return device;
  }

  private up(start: number): void {
    let position = start;
    const device = this.heap[position]!;
    const time = this.times[device]!;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = this.heap[parentPosition]!;
      if (this.times[parent]! <= time) break;
      this.heap[position] = parent;
      this.positions[parent] = position;
      position = parentPosition;
    }
    this.heap[position] = device;
    this.positions[device] = position;
  }

  private down(start: number): void {
    let position = start;
    const device = this.heap[position]!;
    const time = this.times[device]!;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.times[this.heap[right]!]! < this.times[this.heap[left]!]! ? right : left;
      const childDevice = this.heap[child]!;
      if (this.times[childDevice]! >= time) break;
      this.heap[position] = childDevice;
      this.positions[childDevice] = position;
      position = child;
    }
    this.heap[position] = device;
    this.positions[device] = position;
  }
}
