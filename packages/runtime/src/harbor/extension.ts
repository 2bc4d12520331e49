// The harbor as an extension: relays frames between groups and answers `troupe.harbor` with its counters.
import { defineActor } from '../actor/define.js';
import type { Extension, ExtensionHost } from '../node/extension.js';
import { Harbor } from './harbor.js';

/** Name of the actor every harbor runs; `stats` answers the harbor's counters. */
export const HARBOR_ACTOR = 'troupe.harbor';

/** The harbor's system actor: tools ask it for the forwarding counters. */
export const HarborActor = defineActor({
  init: (args: { harbor: Harbor }) => args.harbor,
  handlers: {
    stats(harbor) {
      return harbor.stats();
    },
  },
});

/**
 * Makes a node a harbor: frames for other nodes are relayed toward their group, and the senders
 * behind it hear when a node they asked or watched through it goes down. Harbor nodes (type 255)
 * get it by default.
 */
export function harbor(): Extension {
  let stopListening: (() => void) | undefined;
  return {
    name: 'harbor',
    start(host: ExtensionHost) {
      const relay = new Harbor(host);
      host.onTransit((frame, via) => relay.forward(frame, via));
      stopListening = host.onPeerGone((peer, reason) => relay.peerDown(peer, reason));
      host.spawnSystem(HarborActor, HARBOR_ACTOR, { harbor: relay });
      host.addStats(() => relay.stats());
    },
    stop() {
      stopListening?.();
      stopListening = undefined;
    },
  };
}
