// Cluster config validation: good and broken configs, every error at its path, JSON/YAML/defineCluster alike.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './check.js';
import { defineCluster, formatPath, loadConfig, parseCluster } from './config.js';
import { ConfigError, ConfigReadError } from './errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function issues(raw: unknown): Array<{ path: string; message: string }> {
  try {
    parseCluster(raw);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the config to be refused');
}

const node = (addr: string, port: number) => ({ addr, port });

describe('cluster config', () => {
  it('fills defaults and freezes a good config', () => {
    const c = defineCluster({ secret: 'dev-secret-123', nodes: [node('1.1.1', 7001)] }, { baseDir: '/srv' });
    expect(c.cluster).toBe('troupe');
    expect(c.membership).toEqual({ kind: 'static' });
    expect(c.nodes[0]).toMatchObject({ host: '127.0.0.1', export: false, services: [], meta: {} });
    expect(c.baseDir).toBe('/srv');
    expect(Object.isFrozen(c)).toBe(true);
    expect(parseCluster(c)).toBe(c); // a validated config passes through unchanged
  });

  it('names the path of each problem: nodes[2].port and the like', () => {
    const found = issues({
      secret: 'dev-secret-123',
      nodes: [node('1.1.1', 7001), node('1.2.1', 7002), { addr: '1.3.1', port: 'http' }],
    });
    expect(found).toEqual([{ path: 'nodes[2].port', message: expect.stringMatching(/number/) }]);
  });

  it('refuses unknown keys, bad addresses, out-of-range ports and a missing node list', () => {
    expect(issues({ secret: 'dev-secret-123', nodes: [{ addr: '1.1', port: 1, colour: 'blue' }] })).toEqual(
      expect.arrayContaining([
        { path: 'nodes[0].addr', message: expect.stringMatching(/not a node address/) },
        { path: 'nodes[0]', message: expect.stringMatching(/colour/) },
      ]),
    );
    expect(issues({ secret: 'dev-secret-123', nodes: [node('1.1.1', 70000)] })).toEqual([
      { path: 'nodes[0].port', message: expect.stringMatching(/65535/) },
    ]);
    expect(issues({ secret: 'dev-secret-123' }).map((i) => i.path)).toEqual(['nodes']);
    expect(issues({ secret: 'dev-secret-123', nodes: [] })).toEqual([
      { path: 'nodes', message: 'must list at least one node' },
    ]);
  });

  it('checks across fields: duplicate addresses, ports and service names, the center', () => {
    expect(
      issues({
        secret: 'dev-secret-123',
        nodes: [
          node('1.1.1', 7001),
          { ...node('1.1.1', 7001) },
          {
            ...node('1.2.1', 0),
            services: [
              { name: 'a', module: './a.ts' },
              { name: 'a', module: './a.ts' },
            ],
          },
        ],
      }),
    ).toEqual([
      { path: 'nodes[1].addr', message: '1.1.1 is already nodes[0].addr' },
      { path: 'nodes[1].port', message: "127.0.0.1:7001 is already nodes[0]'s" },
      { path: 'nodes[2].services[1].name', message: 'a is spawned twice on 1.2.1' },
    ]);
    expect(
      issues({
        secret: 'dev-secret-123',
        membership: { kind: 'center', node: '1.9.1' },
        nodes: [node('1.1.1', 0)],
      }),
    ).toEqual([{ path: 'membership.node', message: '1.9.1 is not one of nodes[].addr' }]);
    expect(
      issues({ secret: 'dev-secret-123', nodes: [node('1.1.1', 7001)], tickets: { secret: 'short' } }),
    ).toEqual([{ path: 'tickets.secret', message: 'must be at least 16 characters' }]);
    expect(
      issues({
        secret: 'dev-secret-123',
        nodes: [{ ...node('1.1.1', 7001), login: { authenticate: { module: './auth.ts' } } }],
      }),
    ).toEqual([{ path: 'nodes[0].login', message: expect.stringMatching(/set tickets\.secret/) }]);
  });

  it('checks client routes with the gateway rules, at their path', () => {
    expect(
      issues({
        secret: 'dev-secret-123',
        routes: [
          { msgId: 1, service: 1, handler: 'echo' },
          { msgId: 2, service: 1, handler: 'x', strategy: 'fastest' },
        ],
        nodes: [
          { ...node('1.1.1', 7001), gateway: { routes: [{ msgId: 0x80000000, service: 1, handler: 'y' }] } },
        ],
      }),
    ).toEqual([
      { path: 'routes[1]', message: expect.stringMatching(/strategy/) },
      { path: 'nodes[0].gateway.routes[0]', message: expect.stringMatching(/msgId must be an integer/) },
    ]);
  });

  it('explains a bad secret and a bad membership kind', () => {
    expect(issues({ secret: 'short', nodes: [node('1.1.1', 7001)] })).toEqual([
      { path: 'secret', message: 'must be at least 8 characters' },
    ]);
    expect(
      issues({ secret: 'dev-secret-123', membership: { kind: 'zookeeper' }, nodes: [node('1.1.1', 7001)] }),
    ).toEqual([{ path: 'membership.kind', message: expect.stringMatching(/static.*center.*etcd/) }]);
    expect(
      issues({
        secret: 'dev-secret-123',
        membership: { kind: 'etcd', endpoints: ['not a url'] },
        nodes: [node('1.1.1', 7001)],
      }),
    ).toEqual([{ path: 'membership.endpoints[0]', message: expect.any(String) }]);
  });

  it('formats paths the way users write them', () => {
    expect(formatPath(['nodes', 2, 'services', 0, 'args'])).toBe('nodes[2].services[0].args');
    expect(formatPath([])).toBe('');
  });

  it('loads YAML, JSON and TypeScript configs; unreadable files are a ConfigReadError', async () => {
    const yaml = await loadConfig(fixture('three.yaml'));
    expect(yaml.nodes.map((n) => n.addr)).toEqual(['1.1.1', '1.2.1', '1.2.2']);
    expect(yaml.baseDir).toBe(fileURLToPath(new URL('./fixtures', import.meta.url)));
    const json = await loadConfig(fixture('bad-modules.json'));
    expect(json.secret).toEqual({ env: 'TROUPE_TEST_SECRET_UNSET' });
    const ts = await loadConfig(fixture('cluster.config.ts'));
    expect(ts.cluster).toBe('from-ts');
    await expect(loadConfig(fixture('missing.yaml'))).rejects.toBeInstanceOf(ConfigReadError);
    await expect(loadConfig(fixture('echo-service.ts'))).rejects.toThrow(/no default export/);
  });
});

describe('checkConfig', () => {
  it('passes a good config, service modules included', async () => {
    const r = await checkConfig(fixture('three.yaml'));
    expect(r.ok).toBe(true);
  });

  it('reports every schema problem of a broken file with its path', async () => {
    const r = await checkConfig(fixture('broken.yaml'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(
      [
        'secret',
        'nodes[1].addr',
        'nodes[1].port',
        'nodes[2].addr',
        'nodes[2].port',
        'nodes[2].services[1].name',
        'nodes[3]',
        'membership.node',
      ].sort(),
    );
  });

  it('reports a missing secret variable and every module that cannot be used', async () => {
    const r = await checkConfig(fixture('bad-modules.json'), {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { path: 'secret.env', message: 'environment variable TROUPE_TEST_SECRET_UNSET is not set or empty' },
      {
        path: 'nodes[0].services[0].export',
        message: expect.stringMatching(/has no export "Missing" \(it exports Echo\)/),
      },
      { path: 'nodes[0].services[1].export', message: expect.stringMatching(/is not an actor definition/) },
      {
        path: 'nodes[0].services[2].module',
        message: expect.stringMatching(/cannot import \.\/nowhere\.ts/),
      },
    ]);
    expect(
      (await checkConfig(fixture('bad-modules.json'), { TROUPE_TEST_SECRET_UNSET: 'x'.repeat(16) })).ok,
    ).toBe(false);
  });
});
