#!/usr/bin/env node
// The `troupe` executable: the built CLI, or in a source checkout the TypeScript sources through tsx.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(fileURLToPath(dist))) {
  const { main } = await import(dist.href);
  const code = await main(process.argv.slice(2));
  if (code !== undefined) process.exitCode = code;
} else {
  // No build: run the sources with tsx, resolving workspace packages to their sources too.
  const src = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--conditions=@troupe/source', src, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // A terminal's Ctrl-C reaches the child too (same process group); a signal sent to us alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 143);
  });
}
