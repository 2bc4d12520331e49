// The runnable examples, each in its own process as a user runs it: expected lines out, exit code 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = (file: string) => fileURLToPath(new URL(`../packages/examples/src/${file}`, import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

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

/** Runs an example with tsx on the workspace sources; rejects (and kills it) past `timeoutMs`. */
function run(file: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@troupe/source', example(file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${file} did not exit within ${timeoutMs} ms; output so far:\n${stdout}${stderr}`));
    }, timeoutMs);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('examples', () => {
  it('quickstart.ts: two nodes, a typed call and a cast across the link, then both stop', async () => {
    const r = await run('quickstart.ts', 15_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '1.1.1 -> 1.2.1 counter.add(2) = 2',
      '1.1.1 -> 1.2.1 counter.get() = 3',
      'nodes stopped',
      '',
    ]);
  }, 20_000);

  it('demo.ts: two clusters joined by harbors with a center, typed calls across them', async () => {
    const r = await run('demo.ts', 40_000);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    for (const line of [
      /^node 1\.100\.1 +center +127\.0\.0\.1:\d+$/m,
      /^node 1\.255\.1 +harbor +127\.0\.0\.1:\d+$/m,
      /^node 2\.255\.1 +harbor +127\.0\.0\.1:\d+$/m,
      /^node 1\.9\.1 +observer +127\.0\.0\.1:\d+$/m,
      /^dashboard http:\/\/127\.0\.0\.1:\d+\/$/m,
      /^node 1\.5\.1 +gateway +127\.0\.0\.1:\d+$/m,
      /^gateway 1\.5\.1: 3 bot sessions on ws:\/\/127\.0\.0\.1:\d+, each echoed once$/m,
      /^gate picked profile node 2\.2\.1 \(group 2, exported\)$/m,
      /^1\.1\.1 -> 2\.2\.1 \(via harbors\) profiles\.register\(player-cy\) = 3 players$/m,
      /^1\.1\.1 -> 2\.2\.1 profiles\.levelUp\(player-ada\) = level 2$/m,
      /^1\.1\.1 -> 1\.3\.1 lobby\.say = 1 lines$/m,
      /^1\.1\.1 -> 2\.2\.1 profiles\.levelUp\(nobody\) rejected: RemoteError unknown player nobody$/m,
      /^1\.1\.1 -> 7\.2\.1 \(no such cluster\) rejected: UnreachableError: /m,
      /^center KV routes\/profile = \{"type":2\}$/m,
      /^2000 sequential cross group calls: [\d.]+ µs per round trip$/m,
      /^player-ada heard 2 lines: \[lobby\] ada: gg \| \[lobby\] bob: rematch\?$/m,
      /^harbor 1\.255\.1: \d+ frames, \d+ bytes forwarded$/m,
      /^clusters stopped$/m,
    ]) {
      expect(out).toMatch(line);
    }
    // Every cross-group round trip crossed both harbors.
    for (const h of ['1.255.1', '2.255.1']) {
      const frames = Number(
        new RegExp(`^harbor ${h.replaceAll('.', '\\.')}: (\\d+) frames`, 'm').exec(out)?.[1],
      );
      expect(frames).toBeGreaterThanOrEqual(2 * 2000);
    }
  }, 45_000);
});
