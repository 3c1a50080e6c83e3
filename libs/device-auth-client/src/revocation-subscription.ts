import type { Redis } from 'ioredis';
import { Compile } from 'typebox/compile';
import { REVOCATION_CHANNEL, RevocationEvent } from '@plexus/contracts';

/** Whatever caches access and must forget it when access is revoked. */
export interface RevocationListener {
  revoke(event: RevocationEvent): void;
}

const validEvent = Compile(RevocationEvent);

/**
 * Feeds the control plane's revocation events into the authenticator. `subscriber` must be a
 * connection of its own: a Redis connection in subscribe mode can do nothing else.
 * Malformed messages are ignored and counted, never trusted.
 */
export async function subscribeToRevocations(
  subscriber: Redis,
  authenticator: RevocationListener,
  onMalformed: (message: string) => void = () => {}
): Promise<() => Promise<void>> {
  const onMessage = (channel: string, message: string) => {
    if (channel !== REVOCATION_CHANNEL) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      onMalformed(message);
      return;
    }
    if (validEvent.Check(event)) authenticator.revoke(event);
    else onMalformed(message);
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(REVOCATION_CHANNEL);
  return async () => {
    subscriber.off('message', onMessage);
    await subscriber.unsubscribe(REVOCATION_CHANNEL);
  };
}
