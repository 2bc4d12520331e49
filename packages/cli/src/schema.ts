// The cluster config's schema: every field, its default and the checks across fields, in zod.
import { Addr } from '@troupe/transport';
import { z } from 'zod';
import {
  backendSection,
  entitiesSection,
  gatewaySection,
  loginSection,
  pubsubSection,
  routes,
  ticketsSection,
} from './schema-roles.js';

/** A logical address `g.t.p` that `Addr.parse` accepts. */
const address = z.string().superRefine((value, ctx) => {
  try {
    Addr.parse(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a node address: ${(err as Error).message}` });
  }
});

const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);

/** The cluster secret inline, or the name of the environment variable that holds it. */
const secret = z.union(
  [z.string().min(8, 'must be at least 8 characters'), z.strictObject({ env: z.string().min(1) })],
  {
    error: 'must be a string of at least 8 characters or { env: "VARIABLE" }',
  },
);

const membership = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('static') }),
    z.strictObject({
      kind: z.literal('center'),
      /** The node (one of `nodes`) that runs the registry; it needs a fixed port. */
      node: address,
      leaseMs: z.number().int().positive().optional(),
      persistFile: z.string().min(1).optional(),
    }),
    z.strictObject({
      kind: z.literal('etcd'),
      endpoints: z.array(z.url()).min(1),
      prefix: z.string().endsWith('/').optional(),
      leaseTtlSec: z.number().int().positive().optional(),
    }),
  ],
  { error: 'kind must be "static", "center" or "etcd"' },
);

/** An actor to spawn when the node starts: `module`'s export `export`, spawned as `name` with `args`. */
const service = z.strictObject({
  name: z.string().min(1),
  /** A path relative to the config file, or a package specifier. */
  module: z.string().min(1),
  export: z.string().min(1).default('default'),
  /** Spawn arguments; the service's `init` gets them with `troupe` added (the node's extensions). */
  args: z.record(z.string(), z.unknown()).default({}),
});

/** A node extension made by a module's factory: `export(args)` returns the extension. */
const extension = z.strictObject({
  module: z.string().min(1),
  export: z.string().min(1).default('default'),
  args: z.unknown().optional(),
});

const node = z.strictObject({
  addr: address,
  /** Where the node listens for cluster links. */
  host: host.default('127.0.0.1'),
  /**
   * 0 picks a free port. Static members and the center need their port known to their peers: with 0
   * they get one chosen when every node starts together (`up`, `up --processes`), else `--port ADDR=PORT`.
   */
  port,
  /** The host other nodes dial; default the listen host (127.0.0.1 for 0.0.0.0). */
  advertiseHost: host.optional(),
  export: z.boolean().default(false),
  meta: z.record(z.string(), z.unknown()).default({}),
  services: z.array(service).default([]),
  extensions: z.array(extension).default([]),
  gateway: gatewaySection.optional(),
  backend: backendSection.optional(),
  login: loginSection.optional(),
  pubsub: pubsubSection.optional(),
  entities: entitiesSection.optional(),
});

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The whole file. */
export const clusterSchema = z
  .strictObject({
    /** Cluster id: nodes of other ids refuse each other. */
    cluster: z.string().min(1).default('troupe'),
    secret,
    membership: membership.default({ kind: 'static' }),
    log: z.strictObject({ level: z.enum(levels).default('info') }).default({ level: 'info' }),
    askTimeoutMs: z.number().int().positive().optional(),
    /** The secret gateways verify and login services sign tickets with. */
    tickets: ticketsSection.optional(),
    /** Client routes every gateway of the cluster serves. */
    routes: routes.default([]),
    nodes: z.array(node).min(1, 'must list at least one node'),
  })
  // Runs even when fields failed (`when`), so one pass reports every problem; hence the defensive reads.
  .superRefine((config, ctx) => crossChecks(config as unknown as Loose, ctx), { when: () => true });

interface Loose {
  membership?: { kind?: unknown; node?: unknown };
  nodes?: unknown;
  tickets?: unknown;
}

interface LooseNode {
  addr?: unknown;
  host?: unknown;
  port?: unknown;
  services?: unknown;
  login?: unknown;
}

function parsedAddr(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return Addr.parse(value);
  } catch {
    return undefined; // reported by the field's own check
  }
}

function crossChecks(config: Loose, ctx: z.RefinementCtx): void {
  const nodes: LooseNode[] = Array.isArray(config.nodes) ? (config.nodes as LooseNode[]) : [];
  const kind = config.membership?.kind ?? 'static';
  const seen = new Map<number, number>();
  const listens = new Map<string, number>();
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  nodes.forEach((n, i) => {
    if (typeof n !== 'object' || n === null) return;
    const a = parsedAddr(n.addr);
    if (a !== undefined) {
      const first = seen.get(a);
      if (first !== undefined)
        issue(['nodes', i, 'addr'], `${String(n.addr)} is already nodes[${first}].addr`);
      else seen.set(a, i);
    }
    if (typeof n.port === 'number' && n.port !== 0) {
      const key = `${typeof n.host === 'string' ? n.host : '127.0.0.1'}:${n.port}`;
      const other = listens.get(key);
      if (other !== undefined) issue(['nodes', i, 'port'], `${key} is already nodes[${other}]'s`);
      else listens.set(key, i);
    }
    if (n.login !== undefined && config.tickets === undefined)
      issue(
        ['nodes', i, 'login'],
        'a login service signs tickets: set tickets.secret at the top of the config',
      );
    const names = new Set<string>();
    if (Array.isArray(n.services))
      n.services.forEach((s: { name?: unknown } | null, j: number) => {
        if (typeof s?.name !== 'string') return;
        if (names.has(s.name))
          issue(['nodes', i, 'services', j, 'name'], `${s.name} is spawned twice on ${String(n.addr)}`);
        names.add(s.name);
      });
  });
  if (kind === 'center') {
    const center = parsedAddr(config.membership?.node);
    if (center === undefined) return;
    const i = nodes.findIndex((n) => parsedAddr(n?.addr) === center);
    if (i < 0) issue(['membership', 'node'], `${String(config.membership?.node)} is not one of nodes[].addr`);
  }
}

/** A cluster config as written (defaults may be left out). */
export type ClusterConfigInput = z.input<typeof clusterSchema>;
/** A validated cluster config with its defaults filled in. */
export type ClusterSpec = z.output<typeof clusterSchema>;
/** One node of a validated config. */
export type NodeSpec = ClusterSpec['nodes'][number];
/** One service of a validated node. */
export type ServiceSpec = NodeSpec['services'][number];
/** One extension of a validated node. */
export type ExtensionSpec = NodeSpec['extensions'][number];
