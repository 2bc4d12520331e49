// `connect`: resolves the transport (browser WebSocket, `ws` in Node, or a factory such as TCP) and builds the client.

import { ClientCore } from './client.js';
import { type ConnectOptions, resolveOptions } from './options.js';
import type { AnyProtocol } from './protocol.js';
import type { TransportFactory } from './transport.js';
import type { Client } from './typed.js';
import { type WebSocketConstructor, webSocket } from './websocket.js';

// Kept in a variable so bundlers leave the import alone: a browser build never includes `ws`.
const WS_MODULE = 'ws';

async function webSocketClass(given: WebSocketConstructor | undefined): Promise<WebSocketConstructor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const mod = (await import(/* @vite-ignore */ WS_MODULE)) as {
    WebSocket?: WebSocketConstructor;
    default?: WebSocketConstructor;
  };
  return (mod.WebSocket ?? mod.default)!;
}

/**
 * Connects to a gateway and resolves once the session is up (after WELCOME, or on open without HELLO).
 * `target` is a `ws://`/`wss://` URL (the browser's WebSocket; in Node `options.WebSocket`, else `ws` loaded on
 * demand) or a transport factory such as `tcp('127.0.0.1:7001')` from `@troupe/client/tcp`. Rejects with
 * ConnectFailedError, or with a RemoteError carrying the gateway's notice code (a refused ticket, say).
 */
export async function connect<const P extends AnyProtocol = {}>(
  target: string | TransportFactory,
  options: ConnectOptions<P> = {},
): Promise<Client<P>> {
  const resolved = resolveOptions(options);
  const factory =
    typeof target === 'string' ? webSocket(target, await webSocketClass(resolved.WebSocket)) : target;
  const core = new ClientCore(factory, resolved);
  const client = surface(core, resolved.protocol);
  await core.start();
  return client;
}

type Fn = (...args: any[]) => unknown;

// The typed proxies are plain properties built once from the protocol: `send.x`, `call.x`, `on.x`.
function surface<P extends AnyProtocol>(core: ClientCore, protocol: P | undefined): Client<P> {
  const send: Fn & Record<string, Fn> = Object.assign((target: never, payload: unknown) =>
    core.send(target, payload),
  );
  const on: Fn & Record<string, Fn> = Object.assign((key: never, listener: Fn) => core.on(key, listener));
  const call: Record<string, Fn> = {};
  for (const route of Object.values(protocol ?? {})) {
    if (route.hasRequest) send[route.name] = (payload: unknown) => core.send(route, payload);
    if (route.hasReply)
      call[route.name] = (payload: unknown, opts: never) => core.request(route, payload, opts);
    if (route.hasPush) on[route.name] = (listener: Fn) => core.on(route, listener);
  }
  const client = {
    get state() {
      return core.state;
    },
    get session() {
      return core.session;
    },
    get uid() {
      return core.uid;
    },
    get received() {
      return core.received;
    },
    send: Object.freeze(send),
    request: (target: never, payload: unknown, options: never) => core.request(target, payload, options),
    call: Object.freeze(call),
    on: Object.freeze(on),
    close: (reason?: string) => core.close(reason),
  };
  return Object.freeze(client) as unknown as Client<P>;
}
