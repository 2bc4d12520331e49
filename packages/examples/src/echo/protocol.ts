// The echo example's client protocol: one definition for the client, the routes and the services.
import { defineProtocol, type } from '@troupe/client';

/** What an echo answers: the message, and which type-1 node answered it. */
export interface Echoed {
  msg: string;
  by: string;
}

export const EchoProtocol = defineProtocol({
  /** Straight to a type-1 echo node (the gateway picks one, round robin). */
  echo: { msgId: 1, rule: 'pass', request: type<{ msg: string }>(), reply: type<Echoed>() },
  /** To a type-2 caller node, which picks any type-1 node itself and calls it (clustergo's README). */
  relay: {
    msgId: 2,
    rule: 'pass',
    request: type<{ msg: string }>(),
    reply: type<Echoed & { via: string }>(),
  },
});
