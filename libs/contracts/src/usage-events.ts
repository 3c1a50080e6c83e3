import { Type, type Static } from 'typebox';

/**
 * What one gateway node measured for one tenant over one interval: the payload of a stream
 * record of kind `usage`, which the ops plane meters and bills. Intervals of one node do not
 * overlap, so summing events never counts anything twice.
 */
export const UsageEvent = Type.Object(
  {
    tenantId: Type.String({ minLength: 1 }),
    /** The gateway node (process) that measured it. */
    nodeId: Type.String({ minLength: 1 }),
    from: Type.Integer({ minimum: 0, description: 'Epoch ms, inclusive.' }),
    to: Type.Integer({ minimum: 0, description: 'Epoch ms, exclusive.' }),
    connects: Type.Integer({ minimum: 0, description: 'Sessions that connected.' }),
    disconnects: Type.Integer({ minimum: 0, description: 'Sessions that ended, for whatever reason.' }),
    connectedSeconds: Type.Number({ minimum: 0, description: 'Sum over sessions of the time connected within the interval.' }),
    messagesIn: Type.Integer({ minimum: 0, description: 'PUBLISH packets accepted from clients.' }),
    bytesIn: Type.Integer({ minimum: 0, description: 'Their payload bytes.' }),
    messagesOut: Type.Integer({ minimum: 0, description: 'PUBLISH packets delivered to subscribers.' }),
    bytesOut: Type.Integer({ minimum: 0, description: 'Their payload bytes.' })
  },
  { additionalProperties: false }
);
export type UsageEvent = Static<typeof UsageEvent>;
