import { exchange } from './socket-exchange.ts';

/** Resolves when the Redis server at host:port answers an inline `PING` with `+PONG`. */
export async function redisPing(host: string, port: number): Promise<void> {
  const reply = await exchange(host, port, Buffer.from('PING\r\n'), (received) => received.includes('\r\n'));
  const line = reply.toString('utf8').split('\r\n')[0];
  // While loading its append-only file Redis answers `-LOADING …`; that is "not yet", not "broken".
  if (line !== '+PONG') throw new Error(`unexpected reply to PING: ${line}`);
}
