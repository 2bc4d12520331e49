// The byte pipe under a client: one connection attempt that carries whole-frame chunks both ways.

/** What a transport tells the client about its one connection. */
export interface TransportEvents {
  /** The connection is up; `send` may be called. */
  open(): void;
  /** Bytes arrived: whole frames (WebSocket) or any slice of the frame stream (TCP). */
  data(bytes: Uint8Array): void;
  /** The connection ended (also after a failed attempt); called once, never after `close()` was called. */
  closed(reason: string): void;
}

/** One connection attempt. */
export interface ClientTransport {
  /** Sends bytes holding one or more whole frames. */
  send(bytes: Uint8Array): void;
  /** Closes the connection; no event follows. */
  close(): void;
}

/** Opens one connection attempt; the client calls it again for every reconnect. */
export type TransportFactory = (events: TransportEvents) => ClientTransport;
