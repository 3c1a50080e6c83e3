import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { ClusterErrors } from './errors.ts';

// What travels to a node's inbox channel: a one-byte kind, a 4-byte header length, a JSON
// header, then the payload bytes as they are (no base64: a message crosses Redis once per node).

const QoS = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]);

export const ForwardHeader = Type.Object({
  mountedTopic: Type.String({ minLength: 1 }),
  qos: QoS,
  retain: Type.Boolean(),
  /** Shared groups this node delivers to; a group with a member on the publishing node was served there. */
  shares: Type.Array(Type.String())
});
export const PublishHeader = Type.Object({
  tenantId: Type.String({ minLength: 1 }),
  topic: Type.String({ minLength: 1 }),
  qos: QoS,
  retain: Type.Boolean()
});
export const TakeoverHeader = Type.Object({
  tenantId: Type.String({ minLength: 1 }),
  clientId: Type.String({ minLength: 1 }),
  requestId: Type.String({ minLength: 1 }),
  replyTo: Type.String({ minLength: 1 })
});
export const ReleasedHeader = Type.Object({ requestId: Type.String({ minLength: 1 }) });

export type InboxMessage =
  | { kind: 'forward'; header: Static<typeof ForwardHeader>; payload: Buffer }
  | { kind: 'publish'; header: Static<typeof PublishHeader>; payload: Buffer }
  | { kind: 'takeover'; header: Static<typeof TakeoverHeader> }
  | { kind: 'released'; header: Static<typeof ReleasedHeader> };

const KINDS = ['forward', 'publish', 'takeover', 'released'] as const;
const checkers = {
  forward: Compile(ForwardHeader),
  publish: Compile(PublishHeader),
  takeover: Compile(TakeoverHeader),
  released: Compile(ReleasedHeader)
};
const PREAMBLE_BYTES = 5;

export function encodeInboxMessage(message: InboxMessage): Buffer {
  const header = Buffer.from(JSON.stringify(message.header), 'utf8');
  const payload = 'payload' in message ? message.payload : Buffer.alloc(0);
  const frame = Buffer.allocUnsafe(PREAMBLE_BYTES + header.length + payload.length);
  frame.writeUInt8(KINDS.indexOf(message.kind), 0);
  frame.writeUInt32BE(header.length, 1);
  header.copy(frame, PREAMBLE_BYTES);
  payload.copy(frame, PREAMBLE_BYTES + header.length);
  return frame;
}

/** Throws PLX_CLUSTER_MALFORMED_MESSAGE for anything that is not a well-formed message. */
export function decodeInboxMessage(frame: Buffer): InboxMessage {
  if (frame.length < PREAMBLE_BYTES) throw ClusterErrors.malformedInboxMessage('shorter than its preamble');
  const kind = KINDS[frame.readUInt8(0)];
  if (kind === undefined) throw ClusterErrors.malformedInboxMessage(`unknown kind ${frame.readUInt8(0)}`);
  const headerEnd = PREAMBLE_BYTES + frame.readUInt32BE(1);
  if (headerEnd > frame.length) throw ClusterErrors.malformedInboxMessage('header longer than the frame');
  let header: unknown;
  try {
    header = JSON.parse(frame.toString('utf8', PREAMBLE_BYTES, headerEnd));
  } catch {
    throw ClusterErrors.malformedInboxMessage('header is not JSON');
  }
  if (!checkers[kind].Check(header)) throw ClusterErrors.malformedInboxMessage(`invalid ${kind} header`);
  const payload = frame.subarray(headerEnd);
  return { kind, header, payload } as InboxMessage;
}
