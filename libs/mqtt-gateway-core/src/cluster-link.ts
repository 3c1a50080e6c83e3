import type { QoS } from 'mqtt-packet';

/** A message as it crosses between gateway nodes: the topic is mounted under its tenant. */
export interface ForwardedMessage {
  readonly mountedTopic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
}

/**
 * What a gateway process shares with the other gateway processes and hosts (Redis in
 * production). A single process runs with `localOnly`, which shares nothing.
 */
export interface ClusterLink {
  /**
   * Takes a client id for this node before its session starts. Another node holding a live or
   * persisted session for it closes that session (and hands its state to the session store)
   * before the promise resolves, so one client id has one session cluster-wide [MQTT-3.1.4-3].
   */
  claimClientId(tenantId: string, clientId: string): Promise<void>;
  /** This node no longer holds a session, live or persisted, for the client id. */
  releaseClientId(tenantId: string, clientId: string): void;
  /** Offers a message routed on this node to the other nodes whose subscribers match it. */
  forward(message: ForwardedMessage): void;
}

export const localOnly: ClusterLink = {
  claimClientId: () => Promise.resolve(),
  releaseClientId: () => undefined,
  forward: () => undefined
};
