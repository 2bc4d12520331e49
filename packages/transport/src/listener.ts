// The listening socket and outbound sockets of a transport: plain TCP, or TLS with mutual certificates.
import net from 'node:net';
import tls from 'node:tls';
import type { PeerEndpoint, ResolvedOptions, TlsOptions } from './options.js';

/** The socket event that means a dialled socket is ready to carry the link handshake. */
export function connectEvent(opts: ResolvedOptions): 'connect' | 'secureConnect' {
  return opts.tls === undefined ? 'connect' : 'secureConnect';
}

/** `node:tls` options without Troupe's own fields. */
function secureContext(t: Readonly<TlsOptions>): tls.SecureContextOptions {
  const { verifyHostname: _skip, ...rest } = t;
  return rest;
}

/**
 * A server whose `onSocket` gets every accepted socket (for TLS: once the TLS handshake has verified the
 * client's certificate). `onTlsError` hears TLS handshakes that failed (a client without a valid
 * certificate), which never reach `onSocket`.
 */
export function createListener(
  opts: ResolvedOptions,
  onSocket: (socket: net.Socket) => void,
  onTlsError: (err: Error, socket: net.Socket) => void,
): net.Server {
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  if (opts.tls === undefined) return net.createServer(hwm, onSocket);
  const server = tls.createServer(
    {
      ...hwm,
      ...secureContext(opts.tls),
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: opts.handshakeTimeoutMs,
    },
    onSocket,
  );
  server.on('tlsClientError', onTlsError);
  return server;
}

/** Dials `endpoint`: a plain socket, or a TLS socket presenting our certificate and checking the peer's. */
export function dialSocket(opts: ResolvedOptions, endpoint: PeerEndpoint): net.Socket {
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  const base = { host: endpoint.host, port: endpoint.port, ...hwm };
  if (opts.tls === undefined) return net.connect(base);
  return tls.connect({
    ...base,
    ...secureContext(opts.tls),
    rejectUnauthorized: true,
    ...(opts.tls.verifyHostname === true ? {} : { checkServerIdentity: () => undefined }),
  });
}
