// remote-ask-100: a hundred requests in flight, so batching and per-message cost dominate.
import { remoteAsk } from './remote-ask.js';

export const remoteAsk100 = remoteAsk(100, [
  { of: 'baseline', atLeast: 0.5 },
  { of: 'moleculer', atLeast: 3 },
]);
