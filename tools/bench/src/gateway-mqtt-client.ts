import { connect, type Socket } from 'node:net';
import { generate, parser, type Packet } from 'mqtt-packet';

// A lean MQTT 3.1.1 device for load: one socket, one mqtt-packet parser, and a callback per
// PUBACK. MQTT.js keeps stores, timers and an event emitter per client, which at thousands of
// connections would make the benchmark measure itself rather than the server.

export interface DeviceCredentials {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

export interface LeanMqttConnection {
  readonly clientId: string;
  /** Sends a QoS 1 PUBLISH; `onAcknowledged` runs when its PUBACK arrives. */
  publishQos1(topic: string, payload: Buffer, onAcknowledged: () => void): void;
  /** Sends a PINGREQ, which keeps an idle connection alive [MQTT-3.1.2-24]. */
  ping(): void;
  /** Rejects once the connection ends or fails, so a run stops instead of waiting forever. */
  readonly failed: Promise<never>;
  close(): void;
}

const MAX_MESSAGE_ID = 65_535;
const PINGREQ = generate({ cmd: 'pingreq' });

export interface ConnectTarget {
  readonly port: number;
  /** The loopback source address: each one offers its own range of ephemeral ports per server port. */
  readonly localAddress: string;
  readonly keepaliveSeconds: number;
  readonly timeoutMs: number;
}

export function connectDevice(target: ConnectTarget, credentials: DeviceCredentials): Promise<LeanMqttConnection> {
  const { keepaliveSeconds, timeoutMs } = target;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port: target.port, host: '127.0.0.1', localAddress: target.localAddress, noDelay: true });
    const incoming = parser({ protocolVersion: 4 });
    const awaitingAck = new Map<number, () => void>();
    let nextMessageId = 1;
    let connected = false;
    let closing = false;
    let rejectFailed: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_resolve, rejectPromise) => {
      rejectFailed = rejectPromise;
    });
    // Nobody awaits `failed` on connections that end as planned; keep Node from reporting it.
    failed.catch(() => undefined);

    const fail = (error: Error): void => {
      if (closing) return;
      closing = true;
      socket.destroy();
      if (connected) rejectFailed(error);
      else reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${credentials.clientId}: no CONNACK within ${timeoutMs} ms`)), timeoutMs);

    incoming.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connack') {
        clearTimeout(timer);
        if (packet.returnCode !== 0) return fail(new Error(`${credentials.clientId}: CONNACK return code ${packet.returnCode}`));
        connected = true;
        resolve(connection);
      } else if (packet.cmd === 'puback') {
        const onAcknowledged = awaitingAck.get(packet.messageId as number);
        if (onAcknowledged === undefined) return fail(new Error(`${credentials.clientId}: PUBACK for unknown message id ${packet.messageId}`));
        awaitingAck.delete(packet.messageId as number);
        onAcknowledged();
      }
    });
    incoming.on('error', (error: Error) => fail(error));
    socket.on('data', (chunk) => incoming.parse(chunk));
    socket.on('error', (error) => fail(error));
    socket.on('close', () => fail(new Error(`${credentials.clientId}: connection closed by the server`)));
    socket.on('connect', () => {
      socket.write(
        generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: credentials.clientId,
          keepalive: keepaliveSeconds,
          username: credentials.username,
          password: Buffer.from(credentials.password)
        })
      );
    });

    const connection: LeanMqttConnection = {
      clientId: credentials.clientId,
      failed,
      publishQos1(topic, payload, onAcknowledged) {
        const messageId = nextMessageId;
        nextMessageId = nextMessageId === MAX_MESSAGE_ID ? 1 : nextMessageId + 1;
        awaitingAck.set(messageId, onAcknowledged);
        socket.write(generate({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false }));
      },
      ping() {
        if (!closing) socket.write(PINGREQ);
      },
      close() {
        if (closing) return;
        closing = true;
        clearTimeout(timer);
        socket.end(generate({ cmd: 'disconnect' }));
      }
    };
  });
}
