import { once, type EventEmitter } from 'node:events';

/** Resolves with `promise`, or fails naming `what` once `ms` have passed; tests never sleep to wait. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function nextEvent(emitter: EventEmitter, event: string, ms: number): Promise<unknown[]> {
  return within(once(emitter, event), ms, `event '${event}'`);
}
