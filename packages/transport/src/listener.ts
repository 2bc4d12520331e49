// The listening socket and outbound sockets of a transport: plain TCP, or TLS with mutual certificates.
import net from 'node:net';
import tls from 'node:tls';
import type {
  PeerEndpoint,
  ResolvedOptions,
  TlsCertificates,
  TlsOptions,
  TlsPreSharedKey,
} from './options.js';

/** TLS 1.2 cipher suites with a pre-shared key (Node's TLS 1.3 has no external PSK). */
const PSK_CIPHERS = 'PSK-AES256-GCM-SHA384:PSK-AES128-GCM-SHA256';

/** The socket event that means a dialled socket is ready to carry the link handshake. */
export function connectEvent(opts: ResolvedOptions): 'connect' | 'secureConnect' {
  return opts.tls === undefined ? 'connect' : 'secureConnect';
}

/** `node:tls` options without Troupe's own fields. */
function secureContext(t: Readonly<TlsCertificates>): tls.SecureContextOptions {
  const { verifyHostname: _skip, psk: _none, ...rest } = t;
  return rest;
}

/** The listener's side of a pre-shared key: the peer must name our identity and prove the key. */
function pskServer(t: Readonly<TlsPreSharedKey>): tls.TlsOptions {
  const { identity, key } = t.psk;
  return {
    ciphers: PSK_CIPHERS,
    maxVersion: 'TLSv1.2',
    pskCallback: (_socket, claimed) => (claimed === identity ? key : null),
  };
}

/**
 * What a socket that reads into buffers of ours is given (`net`'s `onread`): where the next read lands,
 * and how many bytes the last one brought.
 */
export type ReadInto = net.OnReadOpts & { buffer: () => Uint8Array };

/** A connection's socket, and whether it reads into the `ReadInto` it was offered (plain TCP) or emits 'data' (TLS). */
export interface OpenedSocket {
  socket: net.Socket;
  readsInto: boolean;
}

/** Makes a connection's socket; it reads into `into` when it can. */
export type SocketOpener = (into: ReadInto) => OpenedSocket;

/**
 * A server whose `onSocket` gets every accepted socket (for TLS: once the TLS handshake has verified the
 * client's certificate, or its knowledge of the pre-shared key). `onTlsError` hears TLS handshakes that failed (a client without a valid
 * certificate), which never reach `onSocket`.
 */
export function createListener(
  opts: ResolvedOptions,
  onSocket: (socket: net.Socket) => void,
  onTlsError: (err: Error, socket: net.Socket) => void,
): net.Server {
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  const t = opts.tls;
  // Plain sockets start paused: `adoptSocket` moves each to a socket reading into the connection's buffers.
  if (t === undefined) return net.createServer({ ...hwm, pauseOnConnect: true }, onSocket);
  const mode: tls.TlsOptions =
    t.psk !== undefined ? pskServer(t) : { ...secureContext(t), requestCert: true, rejectUnauthorized: true };
  const server = tls.createServer({ ...hwm, ...mode, handshakeTimeout: opts.handshakeTimeoutMs }, onSocket);
  server.on('tlsClientError', onTlsError);
  return server;
}

/**
 * An accepted socket (from `createListener`) as it will be read: a plain one moves to a socket reading
 * into `into`, a TLS one stays as it is. `net.Server` has no `onread` of its own, so the plain socket's
 * handle is taken over by a new `net.Socket` given `onread`, as the server itself wraps a handle; the
 * emptied socket is destroyed (without closing the handle), which keeps the server's connection count.
 */
export function adoptSocket(opts: ResolvedOptions, socket: net.Socket, into: ReadInto): OpenedSocket {
  const accepted = socket as net.Socket & { _handle?: object | null };
  const handle = accepted._handle;
  if (opts.tls !== undefined || handle == null) return { socket, readsInto: false };
  accepted._handle = null;
  socket.destroy();
  // The high-water mark the server gave the accepted socket (it also bounds the write side).
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  const options: net.SocketConstructorOpts & net.ConnectOpts & { handle: object; highWaterMark?: number } = {
    handle,
    readable: true,
    writable: true,
    onread: into,
    ...hwm,
  };
  return { socket: new net.Socket(options), readsInto: true };
}

/** Dials `endpoint`: a plain socket reading into `into`, or a TLS socket presenting our certificate and checking the peer's. */
export function dialSocket(opts: ResolvedOptions, endpoint: PeerEndpoint, into: ReadInto): OpenedSocket {
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  const base = { host: endpoint.host, port: endpoint.port, ...hwm };
  const t = opts.tls;
  if (t === undefined) return { socket: net.connect({ ...base, onread: into }), readsInto: true };
  return { socket: dialTls(t, base), readsInto: false };
}

function dialTls(t: Readonly<TlsOptions>, base: tls.ConnectionOptions): net.Socket {
  if (t.psk !== undefined) {
    const { identity, key } = t.psk;
    return tls.connect({
      ...base,
      ciphers: PSK_CIPHERS,
      maxVersion: 'TLSv1.2',
      pskCallback: () => ({ psk: key, identity }),
      checkServerIdentity: () => undefined,
    });
  }
  return tls.connect({
    ...base,
    ...secureContext(t),
    rejectUnauthorized: true,
    ...(t.verifyHostname === true ? {} : { checkServerIdentity: () => undefined }),
  });
}
