// remote-ask-1: one request in flight, so the figure is the round-trip latency of the whole stack.
import { remoteAsk } from './remote-ask.js';

export const remoteAsk1 = remoteAsk(1, [{ of: 'moleculer', atLeast: 1.3 }]);
