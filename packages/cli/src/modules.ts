// Loading the service definitions and extension factories a config names, with errors naming the config path.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyActorDefinition, Extension } from '@troupe/runtime';
import { ModuleLoadError } from './errors.js';

/** The import specifier of a config `module`: paths resolve against the config's directory. */
export function moduleSpecifier(baseDir: string, module: string): string {
  if (module.startsWith('.') || isAbsolute(module)) return pathToFileURL(resolve(baseDir, module)).href;
  return module;
}

/** A module's named export; errors name `path` (the config entry). */
export async function importExport(
  baseDir: string,
  module: string,
  name: string,
  path: string,
): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleSpecifier(baseDir, module))) as Record<string, unknown>;
  } catch (err) {
    throw new ModuleLoadError(`${path}.module`, `cannot import ${module}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!(name in mod)) {
    const has = Object.keys(mod).join(', ') || 'nothing';
    throw new ModuleLoadError(
      `${path}.export`,
      `${module} has no export ${JSON.stringify(name)} (it exports ${has})`,
    );
  }
  return mod[name];
}

/**
 * The export a config entry names, checked to be what the entry needs (`is`); a `ModuleLoadError` at
 * `<path>.export` says what it should have been (`what`).
 */
export async function loadChecked<T>(
  baseDir: string,
  spec: { module: string; export: string },
  path: string,
  is: (value: unknown) => boolean,
  what: string,
): Promise<T> {
  const value = await importExport(baseDir, spec.module, spec.export, path);
  if (!is(value)) throw new ModuleLoadError(`${path}.export`, `${spec.module}#${spec.export} is not ${what}`);
  return value as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The actor definition a service entry names (`defineActor`'s result). */
export function loadService(
  baseDir: string,
  spec: { module: string; export: string },
  path: string,
): Promise<AnyActorDefinition> {
  return loadChecked(
    baseDir,
    spec,
    path,
    (v) => isObject(v) && typeof v.init === 'function' && isObject(v.handlers),
    "an actor definition (defineActor's result)",
  );
}

/** A factory `(args) => Extension` an extension entry names, called with its args. */
export async function loadExtension(
  baseDir: string,
  spec: { module: string; export: string; args?: unknown },
  path: string,
): Promise<Extension> {
  const factory = await loadChecked<(args: unknown) => unknown>(
    baseDir,
    spec,
    path,
    (v) => typeof v === 'function',
    'a function returning an extension',
  );
  const ext = factory(spec.args);
  if (!isObject(ext) || typeof ext.name !== 'string' || typeof ext.start !== 'function')
    throw new ModuleLoadError(
      `${path}.export`,
      `${spec.module}#${spec.export}(args) did not return an extension`,
    );
  return ext as unknown as Extension;
}
