import { defineError } from '@plexus/errors';

export const ClusterErrors = {
  noGatewayNode: defineError('PLX_CLUSTER_NO_GATEWAY_NODE', 503, 'no MQTT gateway node is alive to publish through'),
  malformedInboxMessage: defineError<[string]>('PLX_CLUSTER_MALFORMED_MESSAGE', 400, 'malformed cluster message: %s')
} as const;
