import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import mqtt, { type IClientOptions, type IPublishPacket as ClientPublishPacket, type MqttClient } from 'mqtt';
import { generate, parser, type IConnackPacket, type IConnectPacket, type Packet } from 'mqtt-packet';
import type { AuthResult } from '@plexus/contracts';

// Clients for the gateway's protocol tests: MQTT.js for what a real client does, and a raw
// mqtt-packet client for what MQTT.js would not send (resends, bad aliases) or to hold acks back.

export const device = (tenantId: string, deviceId: string): AuthResult => ({
  result: 'allow',
  principal: { kind: 'device', tenantId, deviceId, deviceType: null, expiresAt: null }
});

export const app = (tenantId: string): AuthResult => ({ result: 'allow', principal: { kind: 'app', tenantId, keyId: 'k1', scopes: ['mqtt:subscribe'] } });

/** MQTT.js clients of one test file, ended after each test. */
export class TestClients {
  private readonly url: () => string;
  private readonly clients: MqttClient[] = [];

  constructor(url: () => string) {
    this.url = url;
  }

  async connect(clientId: string, password: string, protocolVersion: 4 | 5 = 5, extra: IClientOptions = {}): Promise<MqttClient> {
    // MQTT 3.1.1 needs a user name whenever a password is sent [MQTT-3.1.2-22]; the gateway ignores its value.
    const client = await mqtt.connectAsync(this.url(), { clientId, username: clientId, password, protocolVersion, reconnectPeriod: 0, keepalive: 30, ...extra });
    this.clients.push(client);
    return client;
  }

  /**
   * Starts connecting and returns at once, so that messages sent right after the CONNACK (a
   * resumed session's queue) find the inbox listening.
   */
  open(clientId: string, password: string, protocolVersion: 4 | 5 = 5, extra: IClientOptions = {}): { client: MqttClient; inbox: Inbox; connack: Promise<IConnackPacket> } {
    const client = mqtt.connect(this.url(), { clientId, username: clientId, password, protocolVersion, reconnectPeriod: 0, keepalive: 30, ...extra });
    this.clients.push(client);
    const inbox = new Inbox(client);
    const connack = new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', (packet) => resolve(packet as IConnackPacket));
      client.once('error', reject);
    });
    return { client, inbox, connack };
  }

  endAll(): void {
    for (const client of this.clients.splice(0)) client.end(true);
  }
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly packet: ClientPublishPacket;
}

/** Collects every message a client receives, and waits for the next ones with a timeout. */
export class Inbox {
  readonly messages: ReceivedMessage[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), packet });
      for (const waiter of this.waiters) waiter();
    });
  }

  /** Resolves once `count` messages have arrived in total. */
  whenCount(count: number, timeoutMs = 5000): Promise<ReceivedMessage[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.messages.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.messages.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`only ${this.messages.length} of ${count} messages arrived`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

/**
 * Resolves once the gateway has handled everything the client sent before: it handles a
 * connection's packets one at a time and answers in order, so its UNSUBACK for a filter nobody
 * holds comes after anything it sent for the earlier packets.
 */
export async function roundTrip(client: MqttClient): Promise<void> {
  await client.unsubscribeAsync('round/trip');
}

/** Waits, a tick at a time, for something the gateway does after a client has gone (its socket's close). */
export function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setImmediate(check);
    };
    check();
  });
}

export function disconnectReason(subject: MqttClient): Promise<number> {
  return new Promise((resolve) => subject.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
}

/** A client speaking mqtt-packet directly over a socket; every packet the gateway sends is kept in order. */
export class RawClient {
  readonly socket: Socket;
  readonly received: Packet[] = [];
  readonly protocolVersion: 4 | 5;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(socket: Socket, protocolVersion: 4 | 5) {
    this.socket = socket;
    this.protocolVersion = protocolVersion;
    const responses = parser({ protocolVersion });
    responses.on('packet', (packet: Packet) => {
      this.received.push(packet);
      this.notify();
    });
    socket.on('data', (chunk: Buffer) => responses.parse(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Connects and returns the client with the gateway's CONNACK. */
  static async connect(url: string, connect: Omit<IConnectPacket, 'cmd' | 'protocolId'> & { protocolVersion: 4 | 5 }): Promise<{ client: RawClient; connack: IConnackPacket }> {
    const socket = tcpConnect(Number(new URL(url).port), '127.0.0.1');
    await once(socket, 'connect');
    const client = new RawClient(socket, connect.protocolVersion);
    client.send({ cmd: 'connect', protocolId: 'MQTT', keepalive: 30, clean: true, ...connect });
    const connack = (await client.next('connack')) as IConnackPacket;
    return { client, connack };
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  /** The first received packet of that type not yet taken by `next`, waiting for it if need be. */
  next(cmd: Packet['cmd'], timeoutMs = 5000): Promise<Packet> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.received.findIndex((packet) => packet.cmd === cmd);
        if (index === -1) {
          if (this.closed) finish(new Error(`connection closed before a ${cmd}`));
          return;
        }
        finish(null, this.received.splice(index, 1)[0] as Packet);
      };
      const finish = (error: Error | null, packet?: Packet) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(packet as Packet);
      };
      const timer = setTimeout(() => finish(new Error(`no ${cmd} within ${timeoutMs} ms; got ${this.received.map((packet) => packet.cmd).join(', ')}`)), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves when the gateway has closed the connection. */
  whenClosed(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.closed) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error('the gateway kept the connection open')), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once the gateway answered a PINGREQ sent now, so it has handled every packet before it. */
  async roundTrip(): Promise<void> {
    this.send({ cmd: 'pingreq' });
    await this.next('pingresp');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }
}
