// The IM example's web server: the chat page, the client SDK bundled for the browser, and POST /login.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { LoginService } from '@troupe/gateway';
import { build } from 'esbuild';

/** A running web server. */
export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Largest login body accepted. */
const MAX_BODY = 16 * 1024;

/** `@troupe/client` as one browser ES module (its `ws` import stays dynamic and unused in browsers). */
export async function bundleClient(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "export * from '@troupe/client';",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@troupe/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Serves the page on `host` (port 0: a free one); logins go to `login` (the login service on this process's node). */
export async function startWeb(login: LoginService, host = '127.0.0.1', port = 0): Promise<WebServer> {
  const [page, client] = await Promise.all([
    readFile(new URL('./page.html', import.meta.url), 'utf8'),
    bundleClient(),
  ]);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?')))
      return send(res, 200, 'text/html; charset=utf-8', page);
    if (req.method === 'GET' && req.url === '/client.js')
      return send(res, 200, 'text/javascript; charset=utf-8', client);
    if (req.method === 'POST' && req.url === '/login') {
      let credentials: unknown;
      try {
        credentials = JSON.parse(await readBody(req));
      } catch {
        return send(
          res,
          400,
          'application/json',
          JSON.stringify({ code: 'BAD_REQUEST', message: 'body must be JSON' }),
        );
      }
      try {
        return send(res, 200, 'application/json', JSON.stringify(await login.login(credentials)));
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return send(
          res,
          401,
          'application/json',
          JSON.stringify({ code: e.code ?? 'LOGIN_REFUSED', message: e.message ?? 'refused' }),
        );
      }
    }
    return send(res, 404, 'text/plain', 'not found');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'text/plain', 'error'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://${host}:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
