import type { RevocationEvent } from '@plexus/contracts';
import type { GatewayContext } from './gateway-context.ts';
import { ReasonCode } from './reason-codes.ts';

/** Closes the live sessions a revocation takes access away from; returns how many. */
export function disconnectRevoked(context: GatewayContext, event: RevocationEvent): number {
  const affected = context.sessions.affectedBy(event);
  for (const session of affected) {
    // Access is gone, so is the session: it is not kept for a client that may not come back.
    if (session.persistence) session.persistence.expirySeconds = 0;
    session.close(ReasonCode.administrativeAction);
  }
  return affected.length;
}
