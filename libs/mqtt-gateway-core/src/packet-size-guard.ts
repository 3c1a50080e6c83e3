// The codec buffers a packet until it is complete, whatever length its fixed header announces.
// This reads only fixed headers (MQTT 5.0 §2.1: one type byte, then a 1-4 byte variable byte
// integer) as data arrives, so an oversized packet is refused before its body is buffered.

const MAX_LENGTH_BYTES = 4;

export type SizeVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'too-large' | 'malformed-length' };

export class PacketSizeGuard {
  private readonly maxPacketBytes: number;
  /** Bytes of the current packet's body still to come. */
  private remaining = 0;
  /** Where we are in a fixed header: 0 = expecting the type byte, n = n length bytes read. */
  private headerPosition = 0;
  private length = 0;
  private multiplier = 1;

  constructor(maxPacketBytes: number) {
    this.maxPacketBytes = maxPacketBytes;
  }

  /** True when the bytes seen so far end exactly at the end of a packet. */
  get atPacketBoundary(): boolean {
    return this.remaining === 0 && this.headerPosition === 0;
  }

  check(chunk: Uint8Array): SizeVerdict {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= skip;
        offset += skip;
        continue;
      }
      const byte = chunk[offset++] as number;
      if (this.headerPosition === 0) {
        this.headerPosition = 1;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        // [MQTT-1.5.5-1] a variable byte integer uses at most four bytes.
        if (++this.headerPosition > MAX_LENGTH_BYTES) return { ok: false, reason: 'malformed-length' };
        continue;
      }
      const packetBytes = 1 + this.headerPosition + this.length;
      if (packetBytes > this.maxPacketBytes) return { ok: false, reason: 'too-large' };
      this.remaining = this.length;
      this.headerPosition = 0;
    }
    return { ok: true };
  }
}
