// `connect`: resolves the transport (browser WebSocket, `ws` in Node, or a factory such as TCP) and builds the client.

import { createClient } from './client.js';
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
  const [client, start] = createClient(factory, resolved);
  await start();
  return client;
}
