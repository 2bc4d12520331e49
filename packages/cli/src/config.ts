// Reading a cluster config (JSON, YAML, or a module exporting defineCluster's result) and validating it.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, ConfigReadError } from './errors.js';
import { type ClusterConfigInput, type ClusterSpec, clusterSchema } from './schema.js';

/** A validated config, with where it came from (service modules resolve against `baseDir`). */
export type ClusterConfig = Readonly<ClusterSpec> & {
  /** Directory that relative `module` paths are resolved against. */
  readonly baseDir: string;
  /** The file or caller the config came from, for messages. */
  readonly source: string;
};

const CONFIG_BRAND = Symbol.for('troupe.clusterConfig');

/** `nodes[2].port` from zod's `['nodes', 2, 'port']`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function issuesOf(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Validates a config object; throws `ConfigError` listing every problem with its path. */
export function parseCluster(
  raw: unknown,
  options: { source?: string; baseDir?: string } = {},
): ClusterConfig {
  const source = options.source ?? 'cluster config';
  if (isClusterConfig(raw)) return raw;
  const result = clusterSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, issuesOf(result.error));
  // Not enumerable: `{ ...config, nodes }` is again a plain config that validates.
  const config = Object.defineProperties(
    { ...result.data },
    {
      baseDir: { value: options.baseDir ?? process.cwd() },
      source: { value: source },
      [CONFIG_BRAND]: { value: true },
    },
  ) as ClusterConfig;
  return Object.freeze(config);
}

/** Whether a value is already a validated config (from `defineCluster` or `loadConfig`). */
export function isClusterConfig(value: unknown): value is ClusterConfig {
  return typeof value === 'object' && value !== null && CONFIG_BRAND in value;
}

/**
 * A cluster config in TypeScript, with the same checks as a file (throws `ConfigError`). Relative
 * service modules resolve against `baseDir` (pass `import.meta.dirname`); default the working directory.
 */
export function defineCluster(input: ClusterConfigInput, options: { baseDir?: string } = {}): ClusterConfig {
  return parseCluster(input, { source: 'defineCluster', ...options });
}

/** Reads and validates a config file: `.json`, `.yaml`/`.yml`, or a `.ts`/`.js`/`.mjs` module whose default export is the config. */
export async function loadConfig(file: string): Promise<ClusterConfig> {
  const path = resolve(file);
  const baseDir = dirname(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.js' || ext === '.mjs' || ext === '.mts') {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (err) {
      throw new ConfigReadError(`${file}: cannot import: ${(err as Error).message}`, { cause: err });
    }
    if (mod.default === undefined) throw new ConfigReadError(`${file}: has no default export`);
    return isClusterConfig(mod.default) ? mod.default : parseCluster(mod.default, { source: file, baseDir });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigReadError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigReadError(
      `${file}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return parseCluster(raw, { source: file, baseDir });
}
