import { exchange } from './socket-exchange.ts';

// The smallest MongoDB wire-protocol exchange that proves a server is ready for commands:
// an OP_MSG carrying `{ ping: 1, $db: "admin" }`, answered by a document with `ok: 1`.
const OP_MSG = 2013;
const HEADER_BYTES = 16;

let nextRequestId = 1;

/** Resolves when the server at host:port answers `{ ping: 1 }` with `ok: 1`. */
export async function mongoWirePing(host: string, port: number): Promise<void> {
  const requestId = nextRequestId++;
  const reply = await exchange(host, port, pingMessage(requestId), (received) =>
    received.length >= 4 && received.length >= received.readInt32LE(0)
  );
  const opCode = reply.readInt32LE(12);
  const responseTo = reply.readInt32LE(8);
  if (opCode !== OP_MSG || responseTo !== requestId) {
    throw new Error(`unexpected reply to ping (opCode ${opCode}, responseTo ${responseTo})`);
  }
  // Header, 4 bytes of flags, then section kind 0 holding the reply document.
  const body = reply.subarray(HEADER_BYTES + 5);
  const ok = readTopLevelNumber(body, 'ok');
  if (ok !== 1) throw new Error(`ping answered with ok: ${String(ok)}`);
}

function pingMessage(requestId: number): Buffer {
  const document = bsonDocument([
    [0x10, 'ping', int32(1)],
    [0x02, '$db', bsonString('admin')]
  ]);
  const header = Buffer.alloc(HEADER_BYTES);
  const flagsAndKind = Buffer.from([0, 0, 0, 0, 0]);
  header.writeInt32LE(HEADER_BYTES + flagsAndKind.length + document.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([header, flagsAndKind, document]);
}

function bsonDocument(elements: ReadonlyArray<readonly [number, string, Buffer]>): Buffer {
  const parts = elements.map(([type, name, value]) =>
    Buffer.concat([Buffer.from([type]), Buffer.from(`${name}\0`, 'utf8'), value])
  );
  const content = Buffer.concat([...parts, Buffer.from([0])]);
  return Buffer.concat([int32(content.length + 4), content]);
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value, 0);
  return buffer;
}

function bsonString(value: string): Buffer {
  const bytes = Buffer.from(`${value}\0`, 'utf8');
  return Buffer.concat([int32(bytes.length), bytes]);
}

// Fixed sizes of the BSON element types a ping reply can carry before `ok`.
const FIXED_SIZES: Readonly<Record<number, number>> = { 0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x11: 8, 0x12: 8 };

function readTopLevelNumber(document: Buffer, wanted: string): number | undefined {
  let position = 4;
  while (position < document.length - 1) {
    const type = document.readUInt8(position);
    const nameEnd = document.indexOf(0, position + 1);
    if (nameEnd < 0) return undefined;
    const name = document.toString('utf8', position + 1, nameEnd);
    const valueStart = nameEnd + 1;
    if (name === wanted) {
      if (type === 0x01) return document.readDoubleLE(valueStart);
      if (type === 0x10) return document.readInt32LE(valueStart);
      if (type === 0x12) return Number(document.readBigInt64LE(valueStart));
      return undefined;
    }
    const fixed = FIXED_SIZES[type];
    if (fixed !== undefined) position = valueStart + fixed;
    else if (type === 0x02) position = valueStart + 4 + document.readInt32LE(valueStart);
    else if (type === 0x03 || type === 0x04) position = valueStart + document.readInt32LE(valueStart);
    else if (type === 0x05) position = valueStart + 5 + document.readInt32LE(valueStart);
    else return undefined;
  }
  return undefined;
}
