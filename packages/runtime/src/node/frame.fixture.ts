// Test fixture: real decoded frames (as a link hands them over) built from their parts.
import { encodeBody, encodeFrame, type Frame, FrameDecoder } from '@troupe/transport';

/** Decodes one frame of `kind` from `from` to `to`; `body` is msgpack-encoded unless it is bytes. */
export function frameOf(kind: number, to: number, from: number, body: unknown, hops = 4): Frame {
  const bytes = body instanceof Uint8Array ? body : encodeBody(body);
  let out: Frame | undefined;
  new FrameDecoder((f) => {
    out = f;
  }).push(encodeFrame(kind, 0, hops, to, from, bytes));
  if (out === undefined) throw new Error('frameOf: no frame decoded');
  return out;
}
