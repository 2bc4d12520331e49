// The backend service of the gateway-echo example: one actor answering the example's routes.
import type { GatewayBackend, GatewayMessage, RouteSpec, SessionClosed } from '@troupe/gateway';
import { Addr, defineActor } from '@troupe/runtime';

/** Node type of the example's backend service. */
export const ECHO_SERVICE_TYPE = 2;

/** The example's routes (any other msgId is blocked). */
export const echoRoutes: RouteSpec[] = [
  { msgId: 1, name: 'echo', rule: 'pass', codec: 'raw', service: ECHO_SERVICE_TYPE, handler: 'echo' },
  { msgId: 2, name: 'login', rule: 'pass', service: ECHO_SERVICE_TYPE, handler: 'login' },
  { msgId: 3, name: 'whoami', rule: 'auth', service: ECHO_SERVICE_TYPE, handler: 'whoami' },
  { msgId: 4, name: 'shout', rule: 'auth', service: ECHO_SERVICE_TYPE, handler: 'shout' },
  { msgId: 5, name: 'tell', rule: 'auth', service: ECHO_SERVICE_TYPE, handler: 'tell' },
  { msgId: 6, name: 'kickme', rule: 'auth', service: ECHO_SERVICE_TYPE, handler: 'kickme' },
  { msgId: 8, name: 'add', rule: 'pass', service: ECHO_SERVICE_TYPE, handler: 'add', strategy: 'roundRobin' },
];

/** What each route carries. */
export interface Login {
  uid: string;
}
export interface Text {
  text: string;
}
export interface Tell {
  to: string;
  text: string;
}
export interface Add {
  a: number;
  b: number;
}

/** The echo service: spawn it as `service` on backend nodes running `gatewayBackend()`. */
export const EchoService = defineActor({
  init: (args: { backend: GatewayBackend }) => ({ backend: args.backend, closed: [] as SessionClosed[] }),
  handlers: {
    echo(_s, m: GatewayMessage<Uint8Array>) {
      return m.data;
    },
    async login(s, m: GatewayMessage<Login>) {
      if (typeof m.data?.uid !== 'string' || m.data.uid === '') throw new Error('login needs {uid}');
      await s.backend.session(m).auth(m.data.uid);
      return { uid: m.data.uid };
    },
    whoami(_s, m: GatewayMessage) {
      return { uid: m.uid, gateway: Addr.format(m.session.gateway as Addr) };
    },
    shout(s, m: GatewayMessage<Text>) {
      s.backend.broadcast(4, { from: m.uid, text: String(m.data?.text) });
    },
    async tell(s, m: GatewayMessage<Tell>) {
      const to = await s.backend.locate(String(m.data?.to));
      if (to === undefined) return { error: 'offline' };
      to.push(5, { from: m.uid, text: String(m.data?.text) });
      return undefined;
    },
    kickme(s, m: GatewayMessage) {
      s.backend.session(m).kick('bye');
    },
    add(_s, m: GatewayMessage<Add>) {
      return { sum: Number(m.data?.a) + Number(m.data?.b) };
    },
    sessionClosed(s, closed: SessionClosed) {
      s.closed.push(closed);
    },
  },
});
