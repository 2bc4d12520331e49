// The extensions a node of the config starts with, built from its config entries.
import type { Extension } from '@troupe/runtime';
import type { ClusterConfig } from './config.js';
import { loadExtension } from './modules.js';
import type { NodeSpec } from './schema.js';

/** Builds every extension `node` asks for, in config order. */
export async function extensionsFor(
  config: ClusterConfig,
  node: NodeSpec,
  index: number,
): Promise<Extension[]> {
  const out: Extension[] = [];
  for (const [j, spec] of node.extensions.entries())
    out.push(await loadExtension(config.baseDir, spec, `nodes[${index}].extensions[${j}]`));
  return out;
}
