import { describe, expect, it } from 'vitest';
import { seededRandom } from '@plexus/test-harness';
import { WakeHeap } from './wake-heap.ts';

describe('WakeHeap', () => {
  it('pops devices in wake-up order through random sets, moves and removals, like a sorted reference', () => {
    const random = seededRandom(7);
    const devices = 200;
    const heap = new WakeHeap(devices);
    const reference = new Map<number, number>();
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      const device = Math.floor(random() * devices);
      const action = random();
      if (action < 0.6) {
        const time = now + Math.floor(random() * 1000);
        heap.set(device, time);
        reference.set(device, time);
      } else if (action < 0.75) {
        heap.remove(device);
        reference.delete(device);
      } else {
        now += Math.floor(random() * 100);
        const due = [...reference].filter(([, time]) => time <= now);
        const popped: [number, number][] = [];
        for (let next = heap.popDue(now); next !== -1; next = heap.popDue(now)) popped.push([next, reference.get(next)!]);
        expect(popped.map(([, time]) => time)).toEqual(due.map(([, time]) => time).sort((a, b) => a - b));
        expect(new Set(popped.map(([popped]) => popped))).toEqual(new Set(due.map(([device]) => device)));
        for (const [device] of due) reference.delete(device);
      }
      expect(heap.size).toBe(reference.size);
      expect(heap.peekTime()).toBe(reference.size === 0 ? Infinity : Math.min(...reference.values()));
    }
  });
});
