// Where the route table comes from: code, a JSON config file, and the membership KV (`routes/...`),
// layered in that order (later wins per msgId) and reloaded live when the file or the KV changes.
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { KvStore } from '@troupe/runtime';
import type { Logger } from 'pino';
import { parseRoute, parseRouteConfig, type Route, type RouteSpec, RouteTable } from './routes.js';

/** Validates routes from code (specs, parsed routes, or `routesFrom` entries) and fills defaults. */
export function codeRoutes(specs: ReadonlyArray<RouteSpec | Route>): Route[] {
  return specs.map((s, i) => parseRoute(s, `routes[${i}]`));
}

/** Reads a route config file; throws `RouteConfigError` naming the file. */
export async function readRouteFile(path: string): Promise<Route[]> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return parseRouteConfig(undefined, `${path} (not JSON: ${(err as Error).message})`);
  }
  return parseRouteConfig(json, path);
}

/** Reads every route under a KV prefix; a malformed entry is logged and skipped, never fatal. */
export async function readKvRoutes(kv: KvStore, prefix: string, log: Logger): Promise<Route[]> {
  const routes: Route[] = [];
  for (const { key, value } of await kv.list(prefix)) {
    try {
      const json: unknown = JSON.parse(value);
      if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'msgId' in json)
        routes.push(parseRoute(json, key));
      else routes.push(...parseRouteConfig(json, key));
    } catch (err) {
      log.error({ key, err: (err as Error).message }, 'route entry in the KV ignored');
    }
  }
  return routes;
}

/** Keeps the live route table and tells `onChange` whenever it is rebuilt. */
export class RouteSources {
  #code: Route[];
  #file: Route[] = [];
  #kv: Route[] = [];
  #table = new RouteTable();
  #watcher: FSWatcher | undefined;
  #unwatchKv: (() => void) | undefined;
  #stopped = false;
  readonly #options: { file: string | undefined; kvPrefix: string | false; kv: KvStore; log: Logger };
  readonly #onChange: (table: RouteTable) => void;

  constructor(
    code: ReadonlyArray<RouteSpec | Route>,
    options: { file: string | undefined; kvPrefix: string | false; kv: KvStore; log: Logger },
    onChange: (table: RouteTable) => void = () => {},
  ) {
    this.#code = codeRoutes(code);
    this.#options = options;
    this.#onChange = onChange;
    this.#rebuild();
  }

  get table(): RouteTable {
    return this.#table;
  }

  /** Loads the file and the KV (a bad file fails the start) and starts following both. */
  async start(): Promise<void> {
    const { file, kvPrefix, kv, log } = this.#options;
    if (file !== undefined) {
      this.#file = await readRouteFile(file);
      this.#watcher = watch(file, { persistent: false }, () => {
        readRouteFile(file).then(
          (routes) => this.#set(() => (this.#file = routes)),
          (err) =>
            log.error({ file, err: (err as Error).message }, 'route file reload failed; old routes kept'),
        );
      });
    }
    if (kvPrefix !== false) {
      this.#kv = await readKvRoutes(kv, kvPrefix, log);
      this.#unwatchKv = kv.watch(kvPrefix, () => {
        readKvRoutes(kv, kvPrefix, log).then(
          (routes) => this.#set(() => (this.#kv = routes)),
          (err) => log.error({ err: (err as Error).message }, 'KV route reload failed; old routes kept'),
        );
      });
    }
    this.#rebuild();
  }

  /** Replaces the routes from code. */
  setCode(specs: ReadonlyArray<RouteSpec | Route>): void {
    const routes = codeRoutes(specs);
    this.#set(() => (this.#code = routes));
  }

  stop(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#unwatchKv?.();
  }

  #set(apply: () => void): void {
    if (this.#stopped) return;
    apply();
    this.#rebuild();
  }

  #rebuild(): void {
    this.#table = new RouteTable(this.#code).overlay(this.#file).overlay(this.#kv);
    this.#onChange(this.#table);
  }
}
