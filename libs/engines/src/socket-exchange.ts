import { connect } from 'node:net';

const EXCHANGE_TIMEOUT_MS = 2_000;

/**
 * Sends `request` on a fresh TCP connection and collects the reply until `isComplete` says the
 * whole message has arrived. Rejects on connection errors, early close or timeout.
 */
export function exchange(
  host: string,
  port: number,
  request: Buffer,
  isComplete: (received: Buffer) => boolean
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error === undefined) resolve(received);
      else reject(error);
    };
    socket.setTimeout(EXCHANGE_TIMEOUT_MS, () => finish(new Error(`no reply within ${EXCHANGE_TIMEOUT_MS} ms`)));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received)) finish(undefined);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed before a full reply')));
  });
}
