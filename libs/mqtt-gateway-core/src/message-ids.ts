import { randomBytes } from 'node:crypto';

/**
 * Message ids unique per device across every gateway process: a random process prefix and a
 * counter. With tenant and device they key the stored point, so a replay of the stream
 * writes the same point again instead of a new one.
 */
export class MessageIds {
  private readonly prefix = randomBytes(6).toString('base64url');
  private counter = 0;

  next(): string {
    this.counter++;
    return `${this.prefix}.${this.counter.toString(36)}`;
  }
}
