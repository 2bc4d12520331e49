// The echo example's services: an echo on type-1 nodes, and a caller on type 2 that picks a type-1 node.
import type { GatewayMessage } from '@troupe/gateway';
import { type ActorContext, type Addr, Addr as Addrs, defineActor } from '@troupe/runtime';
import type { Echoed } from './protocol.js';

/** The node type that serves echo, as in clustergo's README (`GetAddrByType(1)`). */
export const ECHO_TYPE = 1;

/** Spawned as `service` on every type-1 node. */
export const Echo = defineActor({
  init: (_args: unknown, ctx: ActorContext): { by: string } => ({ by: Addrs.format(ctx.node.addr as Addr) }),
  handlers: {
    /** From another node: `ref.call.echo({msg})`. */
    echo: (state, request: { msg: string }): Echoed => ({ msg: request.msg, by: state.by }),
    /** From a client, through a gateway route. */
    client: (state, m: GatewayMessage<{ msg: string }>): Echoed => ({
      msg: String(m.data?.msg),
      by: state.by,
    }),
  },
});

/** Spawned as `service` on type-2 nodes: picks any available type-1 node and calls its echo. */
export const Caller = defineActor({
  init: (_args: unknown, ctx: ActorContext): { via: string } => ({
    via: Addrs.format(ctx.node.addr as Addr),
  }),
  handlers: {
    async relay(state: { via: string }, m: GatewayMessage<{ msg: string }>, ctx) {
      const target = ctx.node.pick(ECHO_TYPE, 'random');
      const echo = ctx.node.ref<typeof Echo>(target.addr, 'service');
      const answer = await echo.call.echo({ msg: String(m.data?.msg) });
      return { ...answer, via: state.via };
    },
  },
});
