// remote-ask-1000: a thousand requests in flight, the deep pipeline a gateway in front of 10,000 players makes.
import { remoteAsk } from './remote-ask.js';

export const remoteAsk1000 = remoteAsk(1000, [{ of: 'moleculer', atLeast: 3 }]);
