// Runs the TypeScript checker (the repository's `tsc`) over given files with the repository's compiler options.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory: scratch files go under it so `@troupe/client` (self-reference) and `ws` resolve. */
export const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

export interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** A scratch directory inside the package, removed by `remove()`. */
export async function scratchDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(PACKAGE_DIR, '.scratch-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Type-checks `files` (absolute paths) with a tsconfig written into `dir`; returns the errors reported. */
export async function typecheck(dir: string, files: string[]): Promise<Diagnostic[]> {
  const config = join(dir, `tsconfig-${Math.random().toString(36).slice(2)}.json`);
  const base = relative(dir, join(PACKAGE_DIR, '..', '..', 'tsconfig.base.json'));
  await writeFile(config, JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, files }));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', config, '--pretty', 'false'], (err, stdout, stderr) => {
      // tsc exits non-zero when it reports errors; no output at all means it did not run.
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
