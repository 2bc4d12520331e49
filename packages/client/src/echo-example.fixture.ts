// Starts `pnpm example gateway-echo` as a child process for the SDK's end-to-end tests, and stops it.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineProtocol, type } from './protocol.js';

/** The example's routes, as a client application defines them. */
export const Echo = defineProtocol({
  echo: { msgId: 1, rule: 'pass', codec: 'raw', request: type<Uint8Array>(), reply: type<Uint8Array>() },
  login: { msgId: 2, rule: 'pass', request: type<{ uid: string }>(), reply: type<{ uid: string }>() },
  whoami: { msgId: 3, request: type<void>(), reply: type<{ uid: string; gateway: string }>() },
  shout: {
    msgId: 4,
    request: type<{ text: string }>(),
    reply: type<void>(),
    push: type<{ from: string; text: string }>(),
  },
  tell: {
    msgId: 5,
    request: type<{ to: string; text: string }>(),
    push: type<{ from: string; text: string }>(),
  },
  kickme: { msgId: 6, request: type<void>() },
  add: { msgId: 8, rule: 'pass', request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() },
});

/** The repository root, where `pnpm example` runs. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface EchoExample {
  gateways: Array<{ addr: string; ws: string; tcp: string }>;
  /** Sends SIGTERM and waits for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Runs the example as a user would (`pnpm example gateway-echo`) and resolves once it printed its addresses. */
export function startEchoExample(timeoutMs = 20_000): Promise<EchoExample> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@troupe/source', 'packages/examples/src/gateway-echo.ts'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}: ${out}${err}`));
    };
    const timer = setTimeout(
      () => fail(`gateway-echo printed no first line within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0 || out.length - d.length > nl) return;
      clearTimeout(timer);
      resolve({ ...(JSON.parse(out.slice(0, nl)) as Pick<EchoExample, 'gateways'>), stop });
    });
    child.once('exit', (code) => fail(`gateway-echo exited with ${code} before its first line`));
  });
}
