// kill -9 of a node running in a child process is detected by the survivors within 2 s.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Addr } from '@troupe/runtime';
import {
  createTestCluster,
  freePort,
  type TestCluster,
  waitFor,
  waitForEvent,
} from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Counter } from './actors.js';

const fixture = fileURLToPath(new URL('./fixtures/node-process.ts', import.meta.url));
let cluster: TestCluster | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  await cluster?.close();
  cluster = undefined;
});

function spawnNode(config: unknown): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = fork(fixture, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx', '--conditions=@troupe/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error('child node did not start within 15 s')), 15_000);
    proc.once('message', () => {
      clearTimeout(timer);
      resolve(proc);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child node exited with ${code}`));
    });
  });
}

describe('kill -9 of a node process', () => {
  it.each(['static', 'center'] as const)('is detected within 2 s over %s membership', async (kind) => {
    const port = await freePort();
    const victim = Addr.parse('1.2.9');
    cluster = await createTestCluster({
      membership: kind,
      nodes: ['1.1.1', '1.2.1'],
      external: [{ addr: '1.2.9', port }],
    });
    const survivors = cluster.nodes();
    const membership =
      kind === 'center'
        ? { kind, center: { addr: '1.1.1', host: '127.0.0.1', port: cluster.port('1.1.1') } }
        : {
            kind,
            members: [
              { addr: '1.1.1', port: cluster.port('1.1.1') },
              { addr: '1.2.1', port: cluster.port('1.2.1') },
              { addr: '1.2.9', port },
            ],
          };
    child = await spawnNode({ addr: '1.2.9', port, secret: 'test-cluster-secret', membership });
    for (const s of survivors) {
      await waitFor(
        async () =>
          (await s
            .ref<typeof Counter>(victim, 'counter')
            .call.get({ timeoutMs: 500 })
            .catch(() => -1)) === 0,
        10_000,
        'child answers',
      );
      await waitFor(() => s.members({ type: 2 }).some((m) => m.addr === victim), 5000, 'child in view');
    }
    const downs = survivors.map((s) =>
      waitForEvent(s, 'memberDown', 2000, (m: { addr: number }) => m.addr === victim),
    );
    const t0 = Date.now();
    child.kill('SIGKILL');
    await Promise.all(downs);
    expect(Date.now() - t0).toBeLessThan(2000);
    for (const s of survivors)
      for (let i = 0; i < 10; i++) expect(s.pick(2, 'roundRobin').addr).not.toBe(victim);
  });
});
