// `pnpm example stream-proxy` as a user runs it: a child process, 50 MB through it, SIGTERM, exit 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('../packages/examples/src/stream-proxy.ts', import.meta.url));

let child: ChildProcess | undefined;
afterEach(async () => {
  const c = child;
  child = undefined;
  if (c !== undefined && c.exitCode === null && c.signalCode === null) {
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  }
});

/** Starts the example and resolves with its first stdout line. */
function start(timeoutMs: number): Promise<{ proc: ChildProcess; first: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@troupe/source', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no first line within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve({ proc, first: stdout.slice(0, nl), stderr: () => stderr });
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before its first line: ${stderr}`));
    });
  });
}

/** Sends `total` random bytes through `port`, half-closes, and hashes what comes back. */
function roundTrip(port: number, total: number): Promise<{ sent: string; got: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const sentHash = createHash('sha256');
    const gotHash = createHash('sha256');
    let bytes = 0;
    let sent = 0;
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      gotHash.update(c);
      bytes += c.length;
    });
    socket.on('end', () => {
      socket.end();
      resolve({ sent: sentHash.digest('hex'), got: gotHash.digest('hex'), bytes });
    });
    const write = () => {
      while (sent < total) {
        const chunk = randomBytes(Math.min(256 * 1024, total - sent));
        sentHash.update(chunk);
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', write);
          return;
        }
      }
      socket.end();
    };
    socket.once('connect', write);
  });
}

describe('stream-proxy example', () => {
  it('prints its address, carries 50 MB byte-identical, and exits 0 on SIGTERM', async () => {
    const { proc, first, stderr } = await start(20_000);
    const { proxy } = JSON.parse(first) as { proxy: string };
    expect(proxy).toMatch(/^127\.0\.0\.1:\d+$/);
    const port = Number(proxy.split(':')[1]);
    const total = 50 * 1024 * 1024;
    const [one, two] = await Promise.all([roundTrip(port, total), roundTrip(port, 1024 * 1024)]);
    expect(one.bytes).toBe(total);
    expect(one.got).toBe(one.sent);
    expect(two.got).toBe(two.sent);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited, stderr()).toBe(0);
  }, 60_000);
});
