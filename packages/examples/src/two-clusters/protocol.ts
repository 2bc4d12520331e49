// The two-clusters example's protocol: a zone's player asks for a fight, a battle node of the shared cluster runs it.
import { defineProtocol, type } from '@troupe/client';

/** A fight's outcome, with who took part on which node. */
export interface Fight {
  player: string;
  /** The zone node that took the request (group 1 or 2). */
  zone: string;
  /** The battle node that ran it (group 3, reached through the harbors). */
  battle: string;
  /** Fights this battle node has run. */
  round: number;
}

export const ZoneProtocol = defineProtocol({
  fight: { msgId: 1, rule: 'pass', request: type<{ player: string }>(), reply: type<Fight>() },
});
