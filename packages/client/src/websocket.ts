// WebSocket transport over any standard WebSocket class: the browser's, or `ws` in Node.

import type { ClientTransport, TransportEvents, TransportFactory } from './transport.js';

/** The part of the WebSocket API the client uses (the browser's class and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers, `import { WebSocket } from 'ws'` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A transport factory dialing `url` with the given WebSocket class; one binary message carries whole frames. */
export function webSocket(url: string, WebSocketClass: WebSocketConstructor): TransportFactory {
  return (events: TransportEvents): ClientTransport => {
    let done = false;
    const socket = new WebSocketClass(url);
    socket.binaryType = 'arraybuffer';
    const detach = (): void => {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // A late error must still have a listener: `ws` throws an 'error' event nobody listens to.
      socket.onerror = () => {};
    };
    const finish = (reason: string): void => {
      if (done) return;
      done = true;
      detach();
      events.closed(reason);
    };
    socket.onopen = () => events.open();
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) events.data(new Uint8Array(event.data));
      else if (ArrayBuffer.isView(event.data)) events.data(event.data as Uint8Array);
      else {
        // The protocol has binary messages only; text means the peer is not a Troupe gateway.
        socket.close(1003, 'binary only');
        finish('websocket text message');
      }
    };
    socket.onclose = (event) =>
      finish(`websocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`);
    socket.onerror = () => finish('websocket error');
    return {
      send: (bytes) => {
        if (!done) socket.send(bytes);
      },
      close: () => {
        done = true;
        detach();
        socket.close(1000, 'client closed');
      },
    };
  };
}
