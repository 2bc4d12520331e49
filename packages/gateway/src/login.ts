// The login service: authenticates a user through the application's hook, picks the least-loaded
// gateway from live load reports, and answers with its client addresses and a signed ticket.
import { Addr, defineActor, type Extension, type ExtensionHost, OptionError } from '@troupe/runtime';
import { DEFAULT_GATEWAY_TYPE } from './backend.js';
import { LoginRefusedError, NoGatewayError } from './errors.js';
import type { GatewayLoad } from './gateway-actor.js';
import { type LoginHttpOptions, type LoginHttpServer, listenLoginHttp } from './login-http.js';
import { GATEWAY_ACTOR } from './sessions.js';
import { DEFAULT_TICKET_TTL_MS, issueTicket } from './ticket.js';

/** Name of the login actor on nodes running the login service. */
export const LOGIN_ACTOR = 'troupe.login';

/** What a successful login answers. */
export interface LoginAnswer {
  uid: string;
  /** The chosen gateway, `g.t.p`. */
  gateway: string;
  ws: string | undefined;
  tcp: string | undefined;
  ticket: string;
}

/** The application's check: the uid of valid credentials; throw (or return undefined) to refuse. */
export type Authenticate = (credentials: unknown) => string | undefined | Promise<string | undefined>;

export interface LoginServiceOptions {
  /** Shared with the gateways (`gateway({ticketSecret})`). */
  ticketSecret: string;
  authenticate: Authenticate;
  /** Node type of the gateways. Default 1. */
  gatewayType?: number;
  /** Lifetime of issued tickets. Default 30 s. */
  ticketTtlMs?: number;
  /** How often each gateway's load is read (at most 1 s apart). Default 500 ms. */
  reportMs?: number;
  /** Event-loop lag (ms) that weighs as much as one session. Default 1 (1 ms of lag = 1 session). */
  lagWeight?: number;
  /** An HTTP endpoint (`POST /login`, JSON) for clients with no connection yet; off by default. */
  http?: LoginHttpOptions | false;
}

export const DEFAULT_REPORT_MS = 500;

/** The login service plugged into a node. */
export interface LoginService extends Extension {
  /** Logs a user in (what the actor and the HTTP endpoint call). */
  login(credentials: unknown): Promise<LoginAnswer>;
  /** The HTTP endpoint's base URL, when enabled. */
  readonly url: string | undefined;
  /** Tickets issued per gateway since start, by `g.t.p`. */
  issued(): Record<string, number>;
  /** The latest load report of each live gateway, by `g.t.p`. */
  loads(): Record<string, GatewayLoad>;
}

interface GatewayState {
  load: GatewayLoad;
}

/**
 * Expiry times of the tickets issued per gateway that may still connect. A ticket counts toward its
 * gateway's load until it expires: reports only count connected sessions, and a burst of logins
 * between two reports must not all go to the same gateway. (A ticket already used counts twice
 * until it expires; that holds for every gateway alike, so the spread stays even.)
 */
class PendingTickets {
  readonly #expiries = new Map<number, number[]>();

  add(gateway: number, exp: number): void {
    let list = this.#expiries.get(gateway);
    if (list === undefined) {
      list = [];
      this.#expiries.set(gateway, list);
    }
    list.push(exp);
  }

  count(gateway: number, now: number): number {
    const list = this.#expiries.get(gateway);
    if (list === undefined) return 0;
    let expired = 0;
    while (expired < list.length && list[expired]! <= now) expired++;
    if (expired > 0) list.splice(0, expired);
    return list.length;
  }

  forget(gateway: number): void {
    this.#expiries.delete(gateway);
  }
}

const LoginActor = defineActor({
  init: (args: { login: (credentials: unknown) => Promise<LoginAnswer> }) => args,
  supervision: { policy: 'resume' },
  handlers: {
    login(state, credentials: unknown) {
      return state.login(credentials);
    },
  },
});

/** Creates the login service extension: `Node.start({ extensions: [loginService({...})] })`. */
export function loginService(options: LoginServiceOptions): LoginService {
  if (typeof options.authenticate !== 'function') throw new OptionError('authenticate', 'must be a function');
  if (typeof options.ticketSecret !== 'string' || options.ticketSecret.length < 16)
    throw new OptionError('ticketSecret', 'must be a string of at least 16 characters');
  const reportMs = options.reportMs ?? DEFAULT_REPORT_MS;
  if (!(reportMs > 0 && reportMs <= 1000)) throw new OptionError('reportMs', 'must be in (0, 1000]');
  const gatewayType = options.gatewayType ?? DEFAULT_GATEWAY_TYPE;
  const ttlMs = options.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS;
  const lagWeight = options.lagWeight ?? 1;
  const gateways = new Map<number, GatewayState>();
  const pending = new PendingTickets();
  const issued = new Map<string, number>();
  let host: ExtensionHost | undefined;
  let timer: NodeJS.Timeout | undefined;
  let http: LoginHttpServer | undefined;

  const poll = () => {
    const h = host!;
    const live = new Set<number>();
    for (const m of h.members({ type: gatewayType })) {
      live.add(m.addr);
      h.ref({ node: m.addr, name: GATEWAY_ACTOR })
        .ask('load', undefined, { timeoutMs: reportMs * 2 })
        .then(
          (load) => gateways.set(m.addr, { load: load as GatewayLoad }),
          (err) => h.log.debug({ err, gateway: Addr.format(m.addr) }, 'gateway load not read'),
        );
    }
    for (const addr of gateways.keys())
      if (!live.has(addr)) {
        gateways.delete(addr);
        pending.forget(addr);
      }
  };

  /** The live gateway with the lowest load estimate (reported sessions + pending tickets + lag). */
  const pick = (): GatewayState => {
    let best: GatewayState | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const [addr, g] of gateways) {
      if (!host!.isAlive(addr as Addr)) continue;
      const score = g.load.sessions + pending.count(addr, now) + g.load.lagMs / lagWeight;
      if (score < bestScore) {
        best = g;
        bestScore = score;
      }
    }
    if (best === undefined) throw new NoGatewayError('no gateway has reported its load yet');
    return best;
  };

  const login = async (credentials: unknown): Promise<LoginAnswer> => {
    let uid: string | undefined;
    try {
      uid = await options.authenticate(credentials);
    } catch (err) {
      throw new LoginRefusedError((err as Error).message ?? 'credentials refused');
    }
    if (typeof uid !== 'string' || uid === '') throw new LoginRefusedError('credentials refused');
    const g = pick();
    pending.add(g.load.gateway, Date.now() + ttlMs);
    const gateway = Addr.format(g.load.gateway as Addr);
    issued.set(gateway, (issued.get(gateway) ?? 0) + 1);
    return {
      uid,
      gateway,
      ws: g.load.ws,
      tcp: g.load.tcp,
      ticket: issueTicket(options.ticketSecret, { uid, gateway, ttlMs }),
    };
  };

  return {
    name: 'login',
    async start(h) {
      host = h;
      h.spawnSystem(LoginActor, LOGIN_ACTOR, { login });
      poll();
      timer = setInterval(poll, reportMs);
      timer.unref();
      if (options.http) http = await listenLoginHttp(options.http, login, h.log);
      h.addStats(() => ({ gateways: gateways.size, issued: Object.fromEntries(issued) }));
    },
    async stop() {
      if (timer) clearInterval(timer);
      await http?.close();
    },
    login,
    get url() {
      return http?.url;
    },
    issued: () => Object.fromEntries(issued),
    loads: () => Object.fromEntries([...gateways].map(([a, g]) => [Addr.format(a as Addr), g.load])),
  };
}
