// The `troupe` command as users run it: check, up, start, status, and up --processes with a crashed child.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientEndpoints, clusterStatus, loadConfig, type MemberStatus } from '@troupe/cli';
import { connect, type Notice } from '@troupe/client';
import { freePort, waitFor } from '@troupe/runtime/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnProcess, spawnTs } from './spawned.js';

const main = fileURLToPath(new URL('../packages/cli/src/main.ts', import.meta.url));
const bin = fileURLToPath(new URL('../packages/cli/bin/troupe.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../packages/cli/src/fixtures/', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(killAll);

/** Writes a config of `addrs` on free ports, with the echo service on the second node. */
async function writeConfig(name: string, addrs: string[]): Promise<string> {
  const nodes = [];
  for (const [i, addr] of addrs.entries())
    nodes.push({
      addr,
      port: await freePort(),
      ...(i === 1
        ? {
            services: [
              {
                name: 'echo',
                module: join(fixtures, 'echo-service.ts'),
                export: 'Echo',
                args: { prefix: '> ' },
              },
            ],
          }
        : {}),
    });
  const file = join(dir, name);
  await writeFile(
    file,
    JSON.stringify({ cluster: 'cli-e2e', secret: 'cli-e2e-secret', log: { level: 'info' }, nodes }, null, 2),
  );
  return file;
}

const logs = (lines: string[]) =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

describe('troupe check', () => {
  it('exits 0 with a summary for a good config', async () => {
    const p = spawnTs(main, ['check', join(fixtures, 'three.yaml')]);
    expect(await p.exited()).toBe(0);
    expect(p.stdout[0]).toMatch(
      /three\.yaml: ok, cluster demo, 3 nodes \(1\.1\.1, 1\.2\.1, 1\.2\.2\), static membership, 1 service$/,
    );
  });

  it('exits 1 listing every problem of a broken config with its path', async () => {
    const p = spawnTs(main, ['check', join(fixtures, 'broken.yaml')]);
    expect(await p.exited()).toBe(1);
    expect(p.stderr[0]).toMatch(/broken\.yaml: 8 problems$/);
    expect(p.stderr).toEqual(
      expect.arrayContaining([
        '  secret: must be at least 8 characters',
        '  nodes[1].addr: 1.1.1 is already nodes[0].addr',
        expect.stringMatching(/^ {2}nodes\[2\]\.port: .*65535/),
        '  nodes[2].services[1].name: echo is spawned twice on 1.2.x',
        expect.stringMatching(/^ {2}nodes\[3\]: .*colour/),
        '  membership.node: 1.9.1 is not one of nodes[].addr',
      ]),
    );
  });

  it('exits 2 with the usage for a missing argument or an unknown command, through the bin', async () => {
    const p = spawnProcess(process.execPath, [bin, 'check']);
    expect(await p.exited()).toBe(2);
    expect(p.stderr[0]).toBe('troupe: troupe check: missing <config> (a .json, .yaml or .ts cluster config)');
    const q = spawnProcess(process.execPath, [bin, 'launch']);
    expect(await q.exited()).toBe(2);
    expect(q.stderr.join('\n')).toMatch(/unknown command "launch"[\s\S]*usage: troupe/);
  });
});

describe('troupe up and start', () => {
  it('up: prints the endpoints first, serves, shows in status, and exits 0 on SIGTERM', async () => {
    const file = await writeConfig('up.json', ['1.1.1', '1.2.1', '1.2.2']);
    const p = spawnTs(main, ['up', file]);
    const first = JSON.parse(await p.line(/^\{/)) as { nodes: Array<{ addr: string; port: number }> };
    expect(first.nodes.map((n) => n.addr)).toEqual(['1.1.1', '1.2.1', '1.2.2']);
    const up = logs([await p.errLine(/"msg":"cluster up and linked/)])[0];
    expect(up).toMatchObject({ nodes: ['1.1.1', '1.2.1', '1.2.2'] });
    console.log(`troupe up: 3 nodes up and linked in ${String(up?.ms)} ms (inside the process)`);
    const status = spawnTs(main, ['status', file]);
    expect(await status.exited()).toBe(0);
    expect(status.stdout[0]).toBe('cluster cli-e2e: 3 members (static membership)');
    expect(status.stdout.join('\n')).toMatch(/^1\.2\.1 +127\.0\.0\.1:\d+ +0 +1 /m);
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(logs(p.stderr).some((l) => l.msg === 'stopping gracefully (signal again to stop at once)')).toBe(
      true,
    );
  });

  it('a SIGTERM stops gracefully: connected clients get GOING_AWAY before the process exits 0', async () => {
    const file = join(dir, 'gateway.json');
    await writeFile(
      file,
      JSON.stringify({
        secret: 'cli-e2e-secret',
        nodes: [
          { addr: '1.1.1', port: 0, gateway: { ws: { port: 0 }, tcp: false } },
          { addr: '1.2.1', port: 0 },
        ],
      }),
    );
    const p = spawnTs(main, ['up', file]);
    const endpoints = JSON.parse(await p.line(/^\{/)) as ClientEndpoints;
    const client = await connect(endpoints.gateways[0]!.ws!, { reconnect: false });
    try {
      const notices: Notice[] = [];
      client.on('notice', (n) => notices.push(n));
      const closed = new Promise<void>((resolve) => {
        client.on('state', (s) => {
          if (s.state === 'closed') resolve();
        });
      });
      expect(await p.stop('SIGTERM')).toBe(0);
      await closed;
      expect(notices.map((n) => n.code)).toContain('GOING_AWAY');
    } finally {
      client.close();
    }
  });

  it('through the bin: one SIGINT to the troupe process is one graceful stop of the nodes, exit 0', async () => {
    const file = await writeConfig('bin.json', ['1.1.1', '1.2.1']);
    const p = spawnProcess(process.execPath, [bin, 'up', file]);
    await p.line(/^\{/);
    expect(await p.stop('SIGINT')).toBe(0);
    const stopping = logs(p.stderr).filter((l) => String(l.msg).startsWith('stopping gracefully'));
    expect(stopping).toHaveLength(1);
    expect(logs(p.stderr).some((l) => l.msg === 'second signal: stopping at once')).toBe(false);
  });

  it('start: runs the named node only; without --node a multi-node config is a usage error', async () => {
    const file = await writeConfig('start.json', ['1.1.1', '1.2.1']);
    const refused = spawnTs(main, ['start', file]);
    expect(await refused.exited()).toBe(2);
    expect(refused.stderr[0]).toMatch(/name the node\(s\) to run with --node \(one of 1\.1\.1, 1\.2\.1\)/);
    const p = spawnTs(main, ['start', file, '--node', '1.2.1', '--pretty']);
    const first = JSON.parse(await p.line(/^\{/)) as { nodes: Array<{ addr: string }> };
    expect(first.nodes.map((n) => n.addr)).toEqual(['1.2.1']);
    expect(await p.stop('SIGINT')).toBe(0);
    expect(p.stderr.join('\n')).toMatch(/INFO.*nodes started in \d+ ms/); // pino-pretty's lines
  });
});

describe('troupe dashboard', () => {
  it('serves the dashboard from an observer node, and exits 0 on SIGINT', async () => {
    const file = await writeConfig('dash.json', ['1.1.1', '1.2.1']);
    const up = spawnTs(main, ['up', file]);
    await up.line(/^\{/);
    const p = spawnTs(main, ['dashboard', file, '--http-port', '0', '--as', '1.254.3']);
    const { dashboard } = JSON.parse(await p.line(/^\{/)) as { dashboard: string };
    const view = (await (await fetch(new URL('/api/cluster', dashboard))).json()) as unknown;
    expect(JSON.stringify(view)).toMatch(/1\.2\.1/);
    expect(await p.stop('SIGINT')).toBe(0);
    expect(await up.stop('SIGINT')).toBe(0);
  });
});

describe('troupe up --processes', () => {
  it('restarts a killed node process with backoff, and stops every child on SIGINT', async () => {
    const file = await writeConfig('procs.json', ['1.1.1', '1.2.1']);
    const config = await loadConfig(file);
    const p = spawnTs(main, ['up', file, '--processes']);
    const first = JSON.parse(await p.line(/^\{/)) as { pids: Record<string, number> };
    const pid = first.pids['1.1.1']!;
    expect(pid).toBeGreaterThan(0);
    const answering = async (addr: string, pred: (m: MemberStatus) => boolean = () => true) => {
      let last: MemberStatus | undefined;
      await waitFor(
        async () => {
          last = (await clusterStatus(config, { timeoutMs: 500 })).find((m) => m.addr === addr);
          return last?.stats !== undefined && pred(last);
        },
        20_000,
        `${addr} answering`,
        100,
      );
      return last!;
    };
    const before = await answering('1.1.1');
    await answering('1.2.1');

    process.kill(pid, 'SIGKILL');
    await p.errLine(/"msg":"node process exited; restarting"/);
    const isRestart = (l: Record<string, unknown>) =>
      l.msg === 'node process started' && l.node === '1.1.1' && l.pid !== pid;
    await waitFor(() => logs(p.stderr).some(isRestart), 20_000, 'the restarted process');
    const restarted = logs(p.stderr).find(isRestart)!;
    const after = await answering('1.1.1', (m) => m.stats!.incarnation !== before.stats!.incarnation);
    expect(after.stats!.uptimeMs).toBeLessThan(before.stats!.uptimeMs + 20_000);
    const exitLog = logs(p.stderr).find((l) => l.msg === 'node process exited; restarting');
    expect(exitLog).toMatchObject({ node: '1.1.1', signal: 'SIGKILL', crashes: 1, delayMs: 100 });

    const newPid = restarted.pid as number;
    const otherPid = first.pids['1.2.1']!;
    expect(await p.stop('SIGINT')).toBe(0);
    for (const child of [newPid, otherPid]) expect(() => process.kill(child, 0)).toThrow(/ESRCH/);
    const stopped = logs(p.stderr)
      .filter((l) => l.msg === 'node process stopped')
      .map((l) => l.node);
    expect(stopped.sort()).toEqual(['1.1.1', '1.2.1']);
  }, 60_000);
});
