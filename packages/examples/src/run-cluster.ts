// How the config-driven examples run: start the cluster from its config, print the client endpoints as
// the first stdout line, serve until SIGINT/SIGTERM, then stop everything and exit 0.
import { fileURLToPath } from 'node:url';
import {
  type ClientEndpoints,
  createLogger,
  loadConfig,
  onShutdown,
  type RunningCluster,
  startCluster,
} from '@troupe/cli';

/** Options of `runCluster`. */
export interface RunClusterOptions<Extra extends object> {
  /** More endpoints for the first line (a web page's URL, say), once the cluster is up. */
  started?: (cluster: RunningCluster) => Extra | Promise<Extra>;
  /** Runs before the cluster stops (close a web server, say). */
  stopping?: () => Promise<void>;
}

/**
 * Runs the cluster of `examples/<name>/cluster.yaml`. Logs go to stderr (JSON; `TROUPE_LOG_LEVEL`,
 * default warn; `TROUPE_PRETTY=1` for pino-pretty), stdout's first line is the endpoints object.
 */
export async function runCluster<Extra extends object = object>(
  name: string,
  options: RunClusterOptions<Extra> = {},
): Promise<{ cluster: RunningCluster; endpoints: ClientEndpoints & Extra }> {
  const config = await loadConfig(fileURLToPath(new URL(`../${name}/cluster.yaml`, import.meta.url)));
  const log = createLogger({
    level: (process.env.TROUPE_LOG_LEVEL as 'warn' | undefined) ?? 'warn',
    pretty: process.env.TROUPE_PRETTY === '1',
  });
  const began = performance.now();
  const cluster = await startCluster(config, { logger: log });
  let extra: Extra;
  try {
    extra = (await options.started?.(cluster)) ?? ({} as Extra);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  const endpoints = { ...cluster.clientEndpoints(), ...extra };
  // Before the endpoints line: whoever reads it may signal at once, and a signal before a listener kills.
  onShutdown(
    async () => {
      await options.stopping?.();
      await cluster.stop();
      console.error(`${name}: stopped`);
    },
    { log },
  );
  console.log(JSON.stringify(endpoints));
  console.error(
    `${name}: ${cluster.nodes().length} nodes up in ${Math.round(performance.now() - began)} ms; Ctrl-C stops`,
  );
  return { cluster, endpoints };
}
