// Bodies of Tell, Ask and Reply frames: a small binary head (ids and names), then the argument as
// msgpack, or as the bytes themselves when it is a Uint8Array (the frame's Raw flag). Names repeat, so
// both directions keep their encodings: nothing is re-encoded or re-allocated per message.
//
//   Tell:  str8 target | str8 handler | str8 sender (empty: none) | arg
//   Ask:   u32 askId | str8 target | str8 handler | str8 sender | arg
//   Reply: u32 askId | u8 status | value
//
// An empty arg or value stands for `undefined`.
import { decodeBodyAt, ProtocolError } from '@troupe/transport';

/** The str8 of no sender. */
const NO_SENDER = Buffer.from([0]);
const MAX_NAME = 255;
/** Entries each cache (names, Tell heads, decoded names) holds at most. */
export const CACHE_LIMIT = 4096;

/** The decoded head of a Tell or Ask; one instance is reused per inbound stream. */
export interface CallHead {
  askId: number;
  target: string;
  handler: string;
  sender: string | undefined;
  /** Offset of the argument in the buffer the head was read from. */
  argAt: number;
}

/** Encodes heads and arguments for one node. */
export class CallWriter {
  private readonly names = new Map<string, Buffer>();
  /** Whole Tell heads by target, then handler, then sender ('' for none). */
  private readonly heads = new Map<string, Map<string, Map<string, Buffer>>>();
  private headCount = 0;
  /** Targets seen once: a head is cached from its target's second use (entities' names are mostly used once). */
  private readonly seen = new Set<string>();
  /** Room for the largest head: an ask id and three names of 255 bytes with their lengths. */
  private scratch = Buffer.allocUnsafe(4 + 3 * (1 + MAX_NAME));

  /** The str8 encoding of a name, cached. Throws `ProtocolError` past 255 bytes. */
  private name(text: string): Buffer {
    let bytes = this.names.get(text);
    if (bytes === undefined) {
      const utf8 = Buffer.from(text, 'utf8');
      if (utf8.length > MAX_NAME)
        throw new ProtocolError(`name "${text.slice(0, 40)}…" is over ${MAX_NAME} bytes`);
      bytes = Buffer.allocUnsafe(utf8.length + 1);
      bytes[0] = utf8.length;
      utf8.copy(bytes, 1);
      if (this.names.size >= CACHE_LIMIT) this.names.clear();
      this.names.set(text, bytes);
    }
    return bytes;
  }

  /** Cached Tell heads (at most `CACHE_LIMIT`). */
  get cachedHeads(): number {
    return this.headCount;
  }

  /**
   * The head of a Tell: cached per (target, handler, sender), so a repeated call copies nothing here.
   * The cache holds at most `CACHE_LIMIT` heads whatever varies (targets, handlers or senders: a stable
   * target with churning sender names fills it too); at the limit it starts over.
   */
  private tellHead(target: string, handler: string, sender: string | undefined): Buffer {
    let byHandler = this.heads.get(target);
    if (byHandler === undefined) {
      byHandler = new Map();
      this.heads.set(target, byHandler);
    }
    let bySender = byHandler.get(handler);
    if (bySender === undefined) {
      bySender = new Map();
      byHandler.set(handler, bySender);
    }
    const key = sender ?? '';
    let head = bySender.get(key);
    if (head === undefined) {
      const s = sender === undefined ? NO_SENDER : this.name(sender);
      head = Buffer.concat([this.name(target), this.name(handler), s]);
      if (this.headCount >= CACHE_LIMIT) {
        this.heads.clear();
        this.headCount = 0;
        this.heads.set(target, new Map([[handler, new Map([[key, head]])]]));
      } else {
        bySender.set(key, head);
      }
      this.headCount++;
    }
    return head;
  }

  /**
   * The head of a Tell (`askId` < 0) or an Ask; a view valid until the next call. A head is cached from
   * its target's second use on: a name used once (a fresh entity's, a session's first call) is written
   * straight into the scratch buffer, so it costs no cache entries (three maps and buffers per target).
   */
  head(askId: number, target: string, handler: string, sender: string | undefined): Uint8Array {
    const tell =
      this.heads
        .get(target)
        ?.get(handler)
        ?.get(sender ?? '') ?? this.admit(target, handler, sender);
    if (tell === undefined) return this.write(askId, target, handler, sender);
    if (askId < 0) return tell;
    const size = 4 + tell.length;
    const buf = this.scratch;
    buf.writeUInt32BE(askId, 0);
    buf.set(tell, 4);
    return buf.subarray(0, size);
  }

  /** The cached Tell head for a target seen before; undefined (and the target remembered) for a new one. */
  private admit(target: string, handler: string, sender: string | undefined): Buffer | undefined {
    if (this.seen.has(target)) return this.tellHead(target, handler, sender);
    if (this.seen.size >= CACHE_LIMIT) this.seen.clear();
    this.seen.add(target);
    return undefined;
  }

  /** Writes a head into the scratch buffer, caching nothing. */
  private write(askId: number, target: string, handler: string, sender: string | undefined): Uint8Array {
    const buf = this.scratch;
    let off = 0;
    if (askId >= 0) {
      buf.writeUInt32BE(askId, 0);
      off = 4;
    }
    off = writeName(buf, off, target);
    off = writeName(buf, off, handler);
    if (sender === undefined) buf[off++] = 0;
    else off = writeName(buf, off, sender);
    return buf.subarray(0, off);
  }

  /** The head of a Reply; a view valid until the next call. */
  replyHead(askId: number, status: number): Uint8Array {
    const buf = this.scratch;
    buf.writeUInt32BE(askId, 0);
    buf[4] = status;
    return buf.subarray(0, 5);
  }
}

/** Writes `text` as a str8 at `off` (room for 255 bytes is there); returns the offset after it. Throws past 255 bytes. */
function writeName(buf: Buffer, off: number, text: string): number {
  // A UTF-16 unit is at most 3 bytes of UTF-8: short names need no measuring.
  if (text.length * 3 > MAX_NAME && Buffer.byteLength(text, 'utf8') > MAX_NAME)
    throw new ProtocolError(`name "${text.slice(0, 40)}…" is over ${MAX_NAME} bytes`);
  const n = buf.write(text, off + 1, 'utf8');
  buf[off] = n;
  return off + 1 + n;
}

/** Whether `data[at, end)` holds exactly `bytes`. */
function sameBytes(bytes: Buffer, data: Buffer, at: number, end: number): boolean {
  if (bytes.length !== end - at) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== data[at + i]) return false;
  return true;
}

/** Decodes an argument or value in `data[at, end)`; throws `DecodeError` on bad msgpack. */
export function decodeArg(flags: number, data: Buffer, at: number, end: number = data.length): unknown {
  if (at >= end) return undefined;
  return decodeBodyAt(flags, data, at, end);
}

/** A whole call head seen before: its bytes (from the target's length on) and its names. */
interface CachedHead {
  bytes: Buffer;
  target: string;
  handler: string;
  sender: string | undefined;
}

/**
 * Decodes names with small caches keyed by their bytes, so repeated names allocate nothing: whole heads
 * (target, handler and sender in one lookup, as a stream of calls between two actors repeats them), then
 * each name.
 */
export class CallReader {
  private readonly cache = new Map<number, string>();
  private readonly heads = new Map<number, CachedHead>();
  /** Hashes of heads seen once. */
  private readonly seen = new Set<number>();

  /**
   * Reads a Tell (`ask` false) or Ask head from `data[start, end)` into `out`; throws `ProtocolError`
   * on a short body.
   */
  read(data: Buffer, start: number, end: number, ask: boolean, out: CallHead): void {
    let off = start;
    if (ask) {
      if (end - start < 4) throw new ProtocolError('ask body too short');
      out.askId = data.readUInt32BE(start);
      off += 4;
    } else {
      out.askId = -1;
    }
    const at = off;
    // The three names' extent, checked once; FNV-1a over it finds a whole head seen before.
    if (off >= end) throw new ProtocolError('call head truncated');
    off += 1 + data[off]!;
    if (off >= end) throw new ProtocolError('call head truncated');
    off += 1 + data[off]!;
    if (off >= end) throw new ProtocolError('call head truncated');
    off += 1 + data[off]!;
    if (off > end) throw new ProtocolError('call head truncated');
    let h = 0x811c9dc5;
    for (let i = at; i < off; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
    const hit = this.heads.get(h);
    if (hit !== undefined && sameBytes(hit.bytes, data, at, off)) {
      out.target = hit.target;
      out.handler = hit.handler;
      out.sender = hit.sender;
      out.argAt = off;
      return;
    }
    let p = at;
    out.target = this.str8(data, p, end);
    p += 1 + data[p]!;
    out.handler = this.str8(data, p, end);
    p += 1 + data[p]!;
    const sender = this.str8(data, p, end);
    out.sender = sender === '' ? undefined : sender;
    out.argAt = off;
    // Cached from its second sighting: a head seen once (a fresh entity's) costs a number in a set.
    if (!this.seen.has(h)) {
      if (this.seen.size >= CACHE_LIMIT) this.seen.clear();
      this.seen.add(h);
      return;
    }
    if (this.heads.size >= CACHE_LIMIT) this.heads.clear();
    this.heads.set(h, {
      bytes: Buffer.from(data.subarray(at, off)),
      target: out.target,
      handler: out.handler,
      sender: out.sender,
    });
  }

  private str8(body: Buffer, off: number, limit: number): string {
    if (off >= limit) throw new ProtocolError('call head truncated');
    const n = body[off]!;
    const start = off + 1;
    const end = start + n;
    if (end > limit) throw new ProtocolError('call head truncated');
    if (n === 0) return '';
    // FNV-1a over the bytes; a hit is confirmed byte for byte (ASCII names only are cached).
    let h = 0x811c9dc5 ^ n;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const b = body[i]!;
      if (b >= 0x80) ascii = false;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (!ascii) return body.toString('utf8', start, end);
    const hit = this.cache.get(h);
    if (hit !== undefined && hit.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (hit.charCodeAt(i) !== body[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    const text = body.toString('latin1', start, end);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(h, text);
    return text;
  }
}
