// The listening socket and outbound sockets of a transport: plain TCP, or TLS with mutual certificates.
import net from 'node:net';
import tls from 'node:tls';
import type { PeerEndpoint, ResolvedOptions, TlsCertificates, TlsPreSharedKey } from './options.js';

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
  if (t === undefined) return net.createServer(hwm, onSocket);
  const mode: tls.TlsOptions =
    t.psk !== undefined ? pskServer(t) : { ...secureContext(t), requestCert: true, rejectUnauthorized: true };
  const server = tls.createServer({ ...hwm, ...mode, handshakeTimeout: opts.handshakeTimeoutMs }, onSocket);
  server.on('tlsClientError', onTlsError);
  return server;
}

/** Dials `endpoint`: a plain socket, or a TLS socket presenting our certificate and checking the peer's. */
export function dialSocket(opts: ResolvedOptions, endpoint: PeerEndpoint): net.Socket {
  const hwm = opts.readHighWaterMark === undefined ? {} : { highWaterMark: opts.readHighWaterMark };
  const base = { host: endpoint.host, port: endpoint.port, ...hwm };
  const t = opts.tls;
  if (t === undefined) return net.connect(base);
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
