// The config sections that give a node a role: gateway, gateway backend, login service, pub/sub, entities.
import { parseRoute } from '@troupe/gateway';
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);
const positive = z.number().int().positive();

/** A module export: `module` (relative to the config file, or a package) and its `export`. */
export const moduleRef = z.strictObject({
  module: z.string().min(1),
  export: z.string().min(1).default('default'),
});

/** One client route, checked by the gateway's own parser so its messages name the field. */
export const route = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  try {
    parseRoute(value, 'route');
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: (err as Error).message.replace(/^route(?: \(msgId \d+\))?: /, ''),
    });
  }
});

/** A list of routes (the gateway's `RouteSpec`s). */
export const routes = z.array(route);

const listener = z.strictObject({ host: host.default('127.0.0.1'), port: port.default(0) });

/** `gateway:` on a node: client listeners and the gateway's options. */
export const gatewaySection = z.strictObject({
  ws: z
    .union([listener.extend({ maxPayload: positive.optional() }), z.literal(false)])
    .default({ host: '127.0.0.1', port: 0 }),
  tcp: z.union([listener, z.literal(false)]).default({ host: '127.0.0.1', port: 0 }),
  /** Routes of this gateway, on top of the cluster's `routes`. */
  routes: routes.default([]),
  /** A JSON route file (relative to the config), reloaded when it changes. */
  routesFile: z.string().min(1).optional(),
  kvRoutes: z.union([z.string().min(1), z.literal(false)]).optional(),
  maxFrame: positive.optional(),
  heartbeatMs: positive.optional(),
  idleMs: positive.optional(),
  duplicateLogin: z.enum(['replace', 'refuse']).optional(),
  maxOutboundBytes: positive.optional(),
  resume: z
    .union([
      z.strictObject({
        windowMs: positive.optional(),
        maxFrames: positive.optional(),
        maxBytes: positive.optional(),
      }),
      z.literal(false),
    ])
    .optional(),
  requestTimeoutMs: positive.optional(),
  maxInFlight: positive.optional(),
  publicHost: host.optional(),
  gatewayType: z.number().int().min(0).max(254).optional(),
});

/** `backend:` on a node: its actors serve client routes and reach sessions. */
export const backendSection = z.union([
  z.literal(true),
  z.strictObject({ gatewayType: z.number().int().min(0).max(254).optional() }),
]);

/** `login:` on a node: the login service with the application's authenticate hook. */
export const loginSection = z.strictObject({
  /** A function `(credentials) => uid | undefined`. */
  authenticate: moduleRef,
  http: z.union([listener, z.literal(false)]).default(false),
  gatewayType: z.number().int().min(0).max(254).optional(),
  reportMs: positive.max(1000).optional(),
});

/** `pubsub:` on a node. */
export const pubsubSection = z.union([
  z.literal(true),
  z.strictObject({
    historyCount: z.number().int().min(0).optional(),
    historyAgeMs: positive.optional(),
    controlTimeoutMs: positive.optional(),
  }),
]);

/** `entities:` on a node: the kinds it knows (hosts when its type matches), passivation and storage. */
export const entitiesSection = z.strictObject({
  kinds: z.array(moduleRef).min(1),
  idleMs: z.number().int().min(0).optional(),
  /** `memory`, or `{ file: path }` (relative to the config) for state that outlives the process. */
  storage: z.union([z.literal('memory'), z.strictObject({ file: z.string().min(1) })]).optional(),
});

/** `tickets:` at the top: the secret gateways and login services share, and ticket lifetime. */
export const ticketsSection = z.strictObject({
  secret: z.union(
    [z.string().min(16, 'must be at least 16 characters'), z.strictObject({ env: z.string().min(1) })],
    {
      error: 'must be a string of at least 16 characters or { env: "VARIABLE" }',
    },
  ),
  ttlMs: positive.optional(),
});
