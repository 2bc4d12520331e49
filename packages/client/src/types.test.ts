// Runs the TypeScript checker inside vitest: the type tests in types.test-d.ts must pass, and a wrong payload
// must fail to compile on the client side and on the backend side.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = dirname(here);
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
let workDir: string;

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** Type-checks `files` (absolute paths) with the repository's compiler options; returns the diagnostics. */
async function check(files: string[]): Promise<Diagnostic[]> {
  const config = join(workDir, `tsconfig-${Math.random().toString(36).slice(2)}.json`);
  const base = relative(workDir, join(packageDir, '..', '..', 'tsconfig.base.json'));
  await writeFile(config, JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, files }));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', config, '--pretty', 'false'], (err, stdout, stderr) => {
      // tsc exits non-zero when it reports errors; anything else (no output at all) is a failure to run.
      if (err && !stdout) reject(new Error(`tsc did not run: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
  return output
    .split('\n')
    .map((line) => /^(.*)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[1]!, line: Number(m[2]), code: m[3]!, message: m[4]! }));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(packageDir, '.types-check-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('type tests', () => {
  it('types.test-d.ts checks clean: every expectTypeOf holds, every @ts-expect-error is an error', async () => {
    const diagnostics = await check([join(here, 'types.test-d.ts')]);
    expect(diagnostics.map((d) => `${d.line}: ${d.code} ${d.message}`)).toEqual([]);
  });

  it('a wrong payload is a compile error for the client and for the backend', async () => {
    const wrong = join(workDir, 'wrong.ts');
    const lines = [
      `import { type Client, defineProtocol, handles, type } from '${join(here, 'index.js')}';`,
      `const Game = defineProtocol({ add: { msgId: 8, request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() } });`,
      `declare const client: Client<typeof Game>;`,
      `client.call.add({ a: 1, b: 'two' });`,
      `handles(Game.add, (_s: unknown, req) => ({ sum: String(req.a) }));`,
      `client.call.add({ a: 1, b: 2 }).then((reply) => reply.sum.toUpperCase());`,
    ];
    await writeFile(wrong, lines.join('\n'));
    const diagnostics = await check([wrong]);
    expect(diagnostics.map((d) => d.line)).toEqual([4, 5, 6]);
  });
});
