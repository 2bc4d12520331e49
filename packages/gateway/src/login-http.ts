// The login service's HTTP endpoint: `POST /login` with JSON credentials, for clients that have no
// gateway connection yet.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TroupeError } from '@troupe/runtime';
import type { Logger } from 'pino';

export interface LoginHttpOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Largest request body, bytes. Default 16 KiB. */
  maxBody?: number;
}

export interface LoginHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

const STATUS: Record<string, number> = { LOGIN_REFUSED: 401, NO_GATEWAY: 503 };

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`body over ${max} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the endpoint: 200 with the login answer, 400 bad JSON, 401 refused, 503 no gateway. */
export async function listenLoginHttp(
  options: LoginHttpOptions,
  login: (credentials: unknown) => Promise<unknown>,
  log: Logger,
): Promise<LoginHttpServer> {
  const max = options.maxBody ?? 16 * 1024;
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/login') {
      reply(res, 404, { code: 'NOT_FOUND', message: 'POST /login' });
      return;
    }
    readBody(req, max)
      .then((text) => {
        let credentials: unknown;
        try {
          credentials = JSON.parse(text);
        } catch {
          reply(res, 400, { code: 'BAD_REQUEST', message: 'the body must be JSON' });
          return;
        }
        return login(credentials).then(
          (answer) => reply(res, 200, answer),
          (err: TroupeError) => {
            const status = STATUS[err.code] ?? 500;
            if (status === 500) log.error({ err }, 'login failed');
            reply(res, status, { code: err.code ?? 'INTERNAL', message: err.message });
          },
        );
      })
      .catch((err: Error) => reply(res, 413, { code: 'TOO_LARGE', message: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
