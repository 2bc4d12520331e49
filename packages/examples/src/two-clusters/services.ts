// The two-clusters example's services: zone services pick an exported battle node of the battle cluster.
import type { GatewayMessage } from '@troupe/gateway';
import { type ActorContext, type Addr, Addr as Addrs, defineActor } from '@troupe/runtime';
import type { Fight } from './protocol.js';

/** Node type of the shared battle cluster's battle nodes (exported to every group). */
export const BATTLE_TYPE = 5;

const here = (ctx: ActorContext) => Addrs.format(ctx.node.addr as Addr);

/** On battle nodes: runs fights for any zone. */
export const Battle = defineActor({
  init: (_args: unknown, ctx: ActorContext) => ({ addr: here(ctx), round: 0 }),
  handlers: {
    fight(state, arg: { player: string; zone: string }): Fight {
      state.round += 1;
      return { player: arg.player, zone: arg.zone, battle: state.addr, round: state.round };
    },
  },
});

/** On zone nodes: a client's fight goes to a battle node picked across the harbors (clustergo's GetAddrByType). */
export const Zone = defineActor({
  init: (_args: unknown, ctx: ActorContext) => ({ addr: here(ctx) }),
  handlers: {
    async fight(state, m: GatewayMessage<{ player: string }>, ctx) {
      const battle = ctx.node.pick(BATTLE_TYPE, 'roundRobin');
      return ctx.node
        .ref<typeof Battle>(battle.addr, 'service')
        .call.fight({ player: String(m.data?.player), zone: state.addr });
    },
  },
});
