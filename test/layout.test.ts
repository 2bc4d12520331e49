// The source layout rules: no value-level import cycle in packages/*/src, no source file over 500 lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
const MAX_LINES = 500;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Where each workspace package's entries resolve (`@troupe/source` condition). */
function packageEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const pkg of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, pkg, 'package.json');
    let json: { name?: string; exports?: Record<string, { '@troupe/source'?: string }> };
    try {
      json = JSON.parse(readFileSync(manifest, 'utf8'));
    } catch {
      continue;
    }
    for (const [sub, target] of Object.entries(json.exports ?? {})) {
      const src = target['@troupe/source'];
      if (json.name && src) entries.set(join(json.name, sub), resolve(packagesDir, pkg, src));
    }
  }
  return entries;
}

/**
 * The modules a file imports at run time: `import type` / `export type` and imports whose every
 * named specifier is `type` are erased by TypeScript and cannot form a cycle.
 */
function valueImports(text: string): string[] {
  const out: string[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gms;
  for (const m of text.matchAll(re)) {
    if (m[5] !== undefined) {
      out.push(m[5]);
      continue;
    }
    if (m[2] !== undefined) continue;
    const clause = m[3] ?? '';
    const named = /^\{([^}]*)\}$/s.exec(clause.trim());
    if (named) {
      const specs = named[1]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (specs.length > 0 && specs.every((s) => s.startsWith('type '))) continue;
    }
    out.push(m[4]!);
  }
  return out;
}

function resolveImport(from: string, spec: string, entries: Map<string, string>): string | undefined {
  if (spec.startsWith('.')) return resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
  return entries.get(spec);
}

/** The value-import graph of `files`: each file and the files it imports at run time. */
function importGraph(files: string[]): Map<string, string[]> {
  const entries = packageEntries();
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps = valueImports(readFileSync(file, 'utf8'))
      .map((spec) => resolveImport(file, spec, entries))
      .filter((d): d is string => d !== undefined);
    graph.set(file, deps);
  }
  return graph;
}

/** Every cycle a depth-first walk of `graph` finds, each as the path that closes it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const files = readdirSync(packagesDir)
  .map((pkg) => join(packagesDir, pkg, 'src'))
  .filter((dir) => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(sources);

describe('source layout', () => {
  it('tells value imports from type-only ones', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, type C } from './b.js';",
      "import { type D, e } from './d.js';",
      "export type { F } from './f.js';",
      "export { g } from './g.js';",
      "import h from './h.js';",
      "import './side-effect.js';",
    ].join('\n');
    expect(valueImports(text)).toEqual(['./d.js', './g.js', './h.js', './side-effect.js']);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    graph.set('c', ['d']);
    expect(findCycles(graph)).toEqual([]);
  });

  it('has no value-level import cycle in packages/*/src', () => {
    const graph = importGraph(files);
    // The graph is real: the node core imports its registry, the etcd provider the runtime's entry.
    const at = (path: string) => join(packagesDir, path);
    expect(graph.get(at('runtime/src/node/core.ts'))).toContain(at('runtime/src/node/registry.ts'));
    expect(graph.get(at('membership-etcd/src/etcd.ts'))).toContain(at('runtime/src/index.ts'));
    const found = findCycles(graph).map((c) => c.map((f) => relative(root, f)).join(' -> '));
    expect(found).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
