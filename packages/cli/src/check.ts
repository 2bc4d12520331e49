// `troupe check`: a config validated as far as it can be without starting anything.
import { type ClusterConfig, loadConfig } from './config.js';
import { ConfigError, type ConfigIssue, ModuleLoadError, SecretMissingError } from './errors.js';
import { loadExtension, loadService } from './modules.js';
import { resolveSecret } from './secret.js';

/** What `checkConfig` found. */
export type CheckResult = { ok: true; config: ClusterConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates a config file: the schema and cross-field rules, the secret's variable, and every service
 * and extension module (imported, export present and of the right kind). Reports every problem found.
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
  try {
    resolveSecret(config.secret, env);
  } catch (err) {
    if (!(err instanceof SecretMissingError)) throw err;
    issues.push({
      path: 'secret.env',
      message: `environment variable ${(config.secret as { env: string }).env} is not set or empty`,
    });
  }
  const loads: Array<Promise<unknown>> = [];
  config.nodes.forEach((node, i) => {
    node.services.forEach((s, j) => {
      loads.push(loadService(config.baseDir, s, `nodes[${i}].services[${j}]`));
    });
    node.extensions.forEach((e, j) => {
      loads.push(loadExtension(config.baseDir, e, `nodes[${i}].extensions[${j}]`));
    });
  });
  for (const r of await Promise.allSettled(loads)) {
    if (r.status === 'fulfilled') continue;
    if (!(r.reason instanceof ModuleLoadError)) throw r.reason;
    issues.push({ path: r.reason.path, message: r.reason.message.slice(r.reason.path.length + 2) });
  }
  return issues.length === 0 ? { ok: true, config } : { ok: false, issues };
}
