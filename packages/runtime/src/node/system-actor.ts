// `troupe.node`: the system actor every node runs, so tools read stats and spawn actors remotely.

import type { SupervisionOptions } from '../actor/define.js';
import { defineActor } from '../actor/define.js';
import type { ActorId } from '../actor/ref.js';
import type { NodeStats, StatsOptions } from './stats.js';

/** Name of the system actor every node runs. */
export const NODE_ACTOR = 'troupe.node';

/** A remote spawn request: a registered type name and the spawn options that travel. */
export interface RemoteSpawnRequest {
  type: string;
  name?: string;
  args?: unknown;
  mailboxLimit?: number;
  supervision?: SupervisionOptions;
}

/** What `troupe.node` answers from. */
export interface NodeActorHost {
  stats(options?: StatsOptions): NodeStats;
  spawnType(request: RemoteSpawnRequest): ActorId;
  typeNames(): string[];
}

/** Reads a spawn request from another node (untrusted shape: checked here). */
function spawnRequest(value: unknown): RemoteSpawnRequest {
  if (typeof value !== 'object' || value === null)
    throw new TypeError('spawn: the request must be an object');
  const r = value as Record<string, unknown>;
  if (typeof r.type !== 'string' || r.type === '')
    throw new TypeError('spawn: type must be a non-empty string');
  if (r.name !== undefined && (typeof r.name !== 'string' || r.name === ''))
    throw new TypeError('spawn: name must be a non-empty string');
  if (r.mailboxLimit !== undefined && (typeof r.mailboxLimit !== 'number' || !(r.mailboxLimit > 0)))
    throw new TypeError('spawn: mailboxLimit must be a positive number');
  if (r.supervision !== undefined && (typeof r.supervision !== 'object' || r.supervision === null))
    throw new TypeError('spawn: supervision must be an object');
  return r as unknown as RemoteSpawnRequest;
}

/** The `troupe.node` actor: `stats`, `spawn` (a registered type) and `types`. */
export const NodeActor = defineActor({
  init: (args: { host: NodeActorHost }) => args.host,
  handlers: {
    stats(host, options?: StatsOptions) {
      return host.stats(options ?? {});
    },
    spawn(host, request: RemoteSpawnRequest): ActorId {
      return host.spawnType(spawnRequest(request));
    },
    types(host) {
      return host.typeNames();
    },
  },
  // A refused request is answered, never a reason to lose the actor.
  supervision: { policy: 'resume' },
});
