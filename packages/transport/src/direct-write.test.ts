// Large bodies written to the socket behind the batch, uncopied: order, content and head kept, over each link kind.
import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { DIRECT_BODY_MIN } from './batch-writer.js';
import { FrameFlag, FrameKind } from './frame.js';
import type { TransportOptions } from './options.js';
import { TestNet } from './testing/test-net.js';
import { makeTestCredentials } from './testing/tls.js';
import { once } from './testing/wait.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');

let net: TestNet | undefined;
afterEach(async () => {
  await net?.closeAll();
  net = undefined;
});

const [credentials] = makeTestCredentials(1);
const LINKS: [string, Partial<TransportOptions>][] = [
  ['plain TCP', {}],
  ['TLS', { tls: credentials! }],
];

/** `size` bytes all equal to `n`'s low byte, with `n` in the first four. */
function body(n: number, size: number): Buffer {
  const b = Buffer.alloc(size, n & 0xff);
  b.writeUInt32BE(n, 0);
  return b;
}

describe.each(LINKS)('large bodies over %s', (_name, options) => {
  it('arrive whole, with their head, in order with the small frames around them', async () => {
    net = new TestNet(options);
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, FrameKind.User, FrameFlag.Raw, 0, A, body(0, 4));
    await once(b.inbox, 'frame', 2000);
    const sizes = [4, DIRECT_BODY_MIN - 1, DIRECT_BODY_MIN, 200 * 1024, 16, DIRECT_BODY_MIN + 3];
    const total = 120;
    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      b.onFrame = (frame) => {
        const f = frame.body;
        const n = f.readUInt32BE(4);
        const size = sizes[n % sizes.length]!;
        const fill = f.subarray(8).every((x) => x === (n & 0xff));
        received.push(`${f.readUInt32BE(0) === 0xabcd0000 + n} ${n} ${f.length - 4 === size} ${fill}`);
        if (received.length === total) resolve();
      };
    });
    for (let n = 0; n < total; n++) {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(0xabcd0000 + n, 0);
      a.send(B, FrameKind.User, FrameFlag.Raw, 0, A, body(n, sizes[n % sizes.length]!), head);
    }
    await done;
    expect(received).toEqual(Array.from({ length: total }, (_, n) => `true ${n} true true`));
    const bytes = sizes.reduce((s, x) => s + x + 4, 0) * (total / sizes.length);
    expect(a.stats().bytesOut).toBeGreaterThan(bytes);
  });
});
