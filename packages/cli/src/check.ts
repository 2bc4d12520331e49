// `troupe check`: a config validated as far as it can be without starting anything.
import { TroupeError } from '@troupe/transport';
import { type ClusterConfig, loadConfig } from './config.js';
import { ConfigError, type ConfigIssue, ModuleLoadError, SecretMissingError } from './errors.js';
import { loadExtension, loadService } from './modules.js';
import { rolesFor } from './roles.js';
import { resolveSecret } from './secret.js';

/** What `checkConfig` found. */
export type CheckResult = { ok: true; config: ClusterConfig } | { ok: false; issues: ConfigIssue[] };

/** An issue for a load failure: module errors carry their path, other named errors get the node's. */
function issueOf(err: unknown, nodePath: string): ConfigIssue | undefined {
  if (err instanceof ModuleLoadError)
    return { path: err.path, message: err.message.slice(err.path.length + 2) };
  if (err instanceof SecretMissingError) return undefined; // reported once, for the whole config
  if (err instanceof TroupeError) return { path: nodePath, message: err.message };
  throw err;
}

/**
 * Validates a config file: the schema and cross-field rules, the secrets' variables, every service,
 * extension, entity kind and login hook module (imported, export present and of the right kind), and
 * the options of each node's gateway, login, pub/sub and entities (built, never started).
 */
export async function checkConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  let config: ClusterConfig;
  try {
    config = await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, issues: [...err.issues] };
    throw err;
  }
  const issues: ConfigIssue[] = [];
  for (const [path, secret] of [
    ['secret', config.secret],
    ['tickets.secret', config.tickets?.secret],
  ] as const) {
    if (typeof secret !== 'object') continue;
    try {
      resolveSecret(secret, env);
    } catch (err) {
      if (!(err instanceof SecretMissingError)) throw err;
      issues.push({ path: `${path}.env`, message: `environment variable ${secret.env} is not set or empty` });
    }
  }
  const loads: Array<{ path: string; load: Promise<unknown> }> = [];
  config.nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    node.services.forEach((s, j) => {
      loads.push({ path: at, load: loadService(config.baseDir, s, `${at}.services[${j}]`) });
    });
    node.extensions.forEach((e, j) => {
      loads.push({ path: at, load: loadExtension(config.baseDir, e, `${at}.extensions[${j}]`) });
    });
    loads.push({ path: at, load: rolesFor(config, node, i, env) });
  });
  const settled = await Promise.allSettled(loads.map((l) => l.load));
  settled.forEach((r, k) => {
    if (r.status === 'fulfilled') return;
    const issue = issueOf(r.reason, loads[k]!.path);
    if (issue) issues.push(issue);
  });
  return issues.length === 0 ? { ok: true, config } : { ok: false, issues };
}
