// One client socket as the gateway sees it, whatever carries it (a WebSocket or a TCP stream).

/** Carries bytes to and from one client. Listeners implement it over `ws` and `node:net`. */
export interface ClientSocket {
  readonly transport: 'ws' | 'tcp';
  /** `ip:port` of the client, for logs. */
  readonly remote: string;
  /** Sends whole frames (over WebSocket: one binary message). */
  write(bytes: Uint8Array): void;
  /** Bytes accepted by `write` but not yet handed to the kernel. */
  readonly buffered: number;
  /** Closes once written bytes are flushed (bounded by a short grace, then destroyed). */
  end(): void;
  /** Closes now, dropping unsent bytes. */
  destroy(): void;
}

/** What a listener calls for each accepted socket's events. */
export interface SocketEvents {
  data(chunk: Uint8Array): void;
  /** The transport carried something the protocol does not allow (a WebSocket text message). */
  invalid(reason: string): void;
  closed(): void;
}

/** Accepts a socket and returns where its events go. */
export type AcceptSocket = (socket: ClientSocket) => SocketEvents;

/** A running listener. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting; existing sockets are left to their owners. */
  close(): Promise<void>;
}

/** How long `end()` waits for the peer before destroying the socket. */
export const END_GRACE_MS = 1000;

/**
 * Frames sent unchanged to many clients (broadcasts, multicasts). A transport may prepare such a frame
 * once for all its sockets (the WebSocket listener frames it once).
 */
export const sharedFrames = new WeakSet<Uint8Array>();
