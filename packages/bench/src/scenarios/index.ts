// Every scenario, in the order `pnpm bench` runs them.
import type { Scenario } from '../scenario.js';
import { actorMemory } from './actor-memory.js';
import { entityActivate } from './entity-activate.js';
import { fanout } from './fanout.js';
import { gatewayBroadcast } from './gateway-broadcast.js';
import { gatewayRtt1 } from './gateway-rtt-1.js';
import { gatewaySessions } from './gateway-sessions.js';
import { harborTell } from './harbor-tell.js';
import { localAsk } from './local-ask.js';
import { localTell } from './local-tell.js';
import { metricsCost, metricsScrape } from './metrics.js';
import { pubsubFanout } from './pubsub-fanout.js';
import { remoteAsk1 } from './remote-ask-1.js';
import { remoteAsk100 } from './remote-ask-100.js';
import { remoteAsk1000 } from './remote-ask-1000.js';
import { remoteTell } from './remote-tell.js';
import { streamBulk } from './stream-bulk.js';

export const SCENARIOS: readonly Scenario[] = [
  localTell,
  localAsk,
  remoteTell,
  remoteAsk1,
  remoteAsk100,
  remoteAsk1000,
  harborTell,
  fanout,
  pubsubFanout,
  streamBulk,
  actorMemory,
  entityActivate,
  metricsScrape,
  metricsCost,
  gatewayRtt1,
  gatewayBroadcast,
  gatewaySessions,
];
