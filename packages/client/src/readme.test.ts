// The README's snippets as written: they type-check, and the Node one runs against `pnpm example gateway-echo`.

import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoExample, REPO_ROOT, startEchoExample } from './echo-example.fixture.js';
import { protocolBlocks, snippet } from './readme.fixture.js';
import { scratchDir, typecheck } from './typecheck.fixture.js';

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let example: EchoExample | undefined;

beforeAll(async () => {
  scratch = await scratchDir();
});

afterAll(async () => {
  await scratch.remove();
  if (example) expect(await example.stop()).toBe(0);
});

describe('README', () => {
  it('has snippets that type-check as written', async () => {
    const files: string[] = [];
    for (const [name, code] of [
      ['protocol.ts', protocolBlocks()],
      ['browser.ts', snippet('browser')],
      ['node.ts', snippet('node')],
    ] as const) {
      const file = join(scratch.path, name);
      await writeFile(file, code);
      files.push(file);
    }
    const diagnostics = await typecheck(scratch.path, files);
    expect(diagnostics.map((d) => `${d.file}:${d.line}: ${d.code} ${d.message}`)).toEqual([]);
  });

  it('runs the Node snippet as written against pnpm example gateway-echo', async () => {
    example = await startEchoExample();
    const gateway = example.gateways[0]!;
    const file = join(scratch.path, 'client.ts');
    await writeFile(file, snippet('node'));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=@troupe/source', file, gateway.ws, gateway.tcp],
        { cwd: REPO_ROOT, timeout: 20_000 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toContain('1 + 2 = 3\n');
    expect(output).toContain('tcp heard ada: hello over ws\n');
  }, 30_000);
});
