// Runs the TypeScript checker inside vitest: the type tests in types.test-d.ts must pass, and a wrong payload
// must fail to compile on the client side and on the backend side.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir, typecheck } from './typecheck.fixture.js';

const here = import.meta.dirname;
let scratch: Awaited<ReturnType<typeof scratchDir>>;

beforeAll(async () => {
  scratch = await scratchDir();
});

afterAll(async () => {
  await scratch.remove();
});

describe('type tests', () => {
  it('types.test-d.ts checks clean: every expectTypeOf holds, every @ts-expect-error is an error', async () => {
    const diagnostics = await typecheck(scratch.path, [join(here, 'types.test-d.ts')]);
    expect(diagnostics.map((d) => `${d.line}: ${d.code} ${d.message}`)).toEqual([]);
  });

  it('a wrong payload is a compile error for the client and for the backend', async () => {
    const wrong = join(scratch.path, 'wrong.ts');
    const lines = [
      `import { type Client, defineProtocol, handles, type } from '${join(here, 'index.js')}';`,
      `const Game = defineProtocol({ add: { msgId: 8, request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() } });`,
      `declare const client: Client<typeof Game>;`,
      `client.call.add({ a: 1, b: 'two' });`,
      `handles(Game.add, (_s: unknown, req) => ({ sum: String(req.a) }));`,
      `client.call.add({ a: 1, b: 2 }).then((reply) => reply.sum.toUpperCase());`,
    ];
    await writeFile(wrong, lines.join('\n'));
    const diagnostics = await typecheck(scratch.path, [wrong]);
    expect(diagnostics.map((d) => d.line)).toEqual([4, 5, 6]);
  });
});
