import type { QoS } from 'mqtt-packet';

/** A retained message as stored: the topic is mounted under its tenant (`acme/devices/d-1/status`). */
export interface RetainedMessage {
  readonly mountedTopic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
}

/**
 * The last retained message of each topic (MQTT 5.0 §3.3.1.3). Topics are mounted, so every
 * tenant has its own retained messages and a filter never reaches another tenant's. Every method
 * is async so that a shared store (Redis) serves every gateway node.
 */
export interface RetainedStore {
  /** Replaces the topic's retained message [MQTT-3.3.1-5]. */
  set(message: RetainedMessage): Promise<void>;
  /** Forgets the topic's retained message, if any [MQTT-3.3.1-6]. */
  delete(mountedTopic: string): Promise<void>;
  /** The retained messages whose topics match a mounted filter (no `$share/` prefix), in no particular order. */
  match(mountedFilter: string): Promise<RetainedMessage[]>;
}
