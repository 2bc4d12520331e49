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
  // The child gets a process group of its own, so each signal reaches it once, through us (a terminal's
  // Ctrl-C would otherwise reach both, and a second signal means "stop at once"); it also stops when
  // its IPC channel to us closes, so it never outlives this process.
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--conditions=@troupe/source', src, ...process.argv.slice(2)],
    { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 143);
  });
}
