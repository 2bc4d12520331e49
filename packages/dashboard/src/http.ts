// The small HTTP layer both servers share: routes by path, JSON and text answers, listen and close.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route handler: answers `res` (may be async; a throw answers 500). */
export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Sends `body` as text with `status` and `type`. */
export function sendText(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** A listening HTTP server. */
export interface Listening {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on `host:port` and dispatches GET requests by exact path; others get 404 or 405. */
export async function listen(
  host: string,
  port: number,
  routes: ReadonlyMap<string, Route>,
): Promise<Listening> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = routes.get(path);
    if (route === undefined) return sendText(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    Promise.resolve()
      .then(() => route(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) sendText(res, 500, 'text/plain; charset=utf-8', `${(err as Error).message}\n`);
        else res.destroy();
      });
  });
  // Keep-alive sockets of browsers and scrapers would hold `close()` open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port: bound,
    url: `http://${shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
