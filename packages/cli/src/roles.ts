// A node's roles from its config sections: the gateway, backend, login, pub/sub and entities extensions.
import { resolve } from 'node:path';
import { Entities, type EntityKind, FileStorage, MemoryStorage } from '@troupe/entities';
import {
  type Authenticate,
  type GatewayBackend,
  type GatewayExtension,
  gateway,
  gatewayBackend,
  type LoginService,
  loginService,
  type RouteSpec,
} from '@troupe/gateway';
import { type Extension, type PubSub, pubsub } from '@troupe/runtime';
import type { ClusterConfig } from './config.js';
import { ModuleLoadError } from './errors.js';
import { loadChecked } from './modules.js';
import type { NodeSpec } from './schema.js';
import { resolveSecret } from './secret.js';

/**
 * What a service's `init` finds under `args.troupe`: the extensions its node runs, for pushing to
 * sessions, publishing, reaching entities.
 */
export interface ServiceContext {
  /** The node's address, `g.t.p`. */
  readonly addr: string;
  readonly gateway?: GatewayExtension;
  readonly backend?: GatewayBackend;
  readonly login?: LoginService;
  readonly pubsub?: PubSub;
  readonly entities?: Entities;
}

/** A node's role extensions (in start order) and the context its services get. */
export interface NodeRoles {
  extensions: Extension[];
  context: ServiceContext;
}

function loadKind(
  config: ClusterConfig,
  spec: { module: string; export: string },
  path: string,
): Promise<EntityKind> {
  const is = (v: unknown) => {
    const k = v as Partial<EntityKind> | null;
    return typeof k === 'object' && k !== null && typeof k.name === 'string' && typeof k.type === 'number';
  };
  return loadChecked(config.baseDir, spec, path, is, "an entity kind (defineEntity's result)");
}

function loadAuthenticate(
  config: ClusterConfig,
  spec: { module: string; export: string },
  path: string,
): Promise<Authenticate> {
  return loadChecked(config.baseDir, spec, path, (v) => typeof v === 'function', 'a function');
}

/** The secret tickets are signed with, when the config has one. */
export function ticketSecret(config: ClusterConfig, env?: NodeJS.ProcessEnv): string | undefined {
  return config.tickets === undefined ? undefined : resolveSecret(config.tickets.secret, env);
}

/** Builds the role extensions of `node` (index `i` in the config) in a fixed order: pub/sub, entities, backend, gateway, login. */
export async function rolesFor(
  config: ClusterConfig,
  node: NodeSpec,
  i: number,
  env?: NodeJS.ProcessEnv,
): Promise<NodeRoles> {
  const at = `nodes[${i}]`;
  const extensions: Extension[] = [];
  const context: { -readonly [K in keyof ServiceContext]: ServiceContext[K] } = { addr: node.addr };
  const tickets = ticketSecret(config, env);
  if (node.pubsub !== undefined) {
    context.pubsub = pubsub(node.pubsub === true ? {} : node.pubsub);
    extensions.push(context.pubsub);
  }
  if (node.entities !== undefined) {
    const e = node.entities;
    const kinds = await Promise.all(e.kinds.map((k, j) => loadKind(config, k, `${at}.entities.kinds[${j}]`)));
    const storage =
      e.storage === undefined
        ? undefined
        : e.storage === 'memory'
          ? new MemoryStorage()
          : new FileStorage(resolve(config.baseDir, e.storage.file));
    context.entities = new Entities({
      kinds,
      ...(storage ? { storage } : {}),
      ...(e.idleMs !== undefined ? { idleMs: e.idleMs } : {}),
    });
    extensions.push(context.entities);
  }
  if (node.backend !== undefined) {
    context.backend = gatewayBackend(node.backend === true ? {} : node.backend);
    extensions.push(context.backend);
  }
  if (node.gateway !== undefined) {
    const { routes, routesFile, ...options } = node.gateway;
    context.gateway = gateway({
      ...options,
      routes: [...config.routes, ...routes] as unknown as RouteSpec[],
      ...(routesFile !== undefined ? { routesFile: resolve(config.baseDir, routesFile) } : {}),
      ...(tickets !== undefined ? { ticketSecret: tickets } : {}),
      // A gateway node with pub/sub lets its sessions follow topics (SessionRef.subscribe).
      ...(context.pubsub !== undefined ? { pubsub: context.pubsub } : {}),
    });
    extensions.push(context.gateway);
  }
  if (node.login !== undefined) {
    const l = node.login;
    if (tickets === undefined)
      throw new ModuleLoadError(`${at}.login`, 'a login service needs tickets.secret');
    context.login = loginService({
      ticketSecret: tickets,
      authenticate: await loadAuthenticate(config, l.authenticate, `${at}.login.authenticate`),
      http: l.http,
      ...(l.gatewayType !== undefined ? { gatewayType: l.gatewayType } : {}),
      ...(l.reportMs !== undefined ? { reportMs: l.reportMs } : {}),
      ...(config.tickets?.ttlMs !== undefined ? { ticketTtlMs: config.tickets.ttlMs } : {}),
    });
    extensions.push(context.login);
  }
  return { extensions, context: Object.freeze(context) };
}
