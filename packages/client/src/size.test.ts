// Size budget: the browser build of the SDK's core (codec, state machine, request/push, resume: everything
// `connect` pulls in) stays at most 6 kB min+gzip, and pulls in nothing from Node.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The budget, in bytes of the minified bundle after gzip (socket.io-client is 10.6 kB). */
const BUDGET = 6 * 1024;

/** Bundles what `imports` names from the package entry the way a browser app's bundler would. */
async function browserBundle(imports: string): Promise<{ code: string; minified: number; gzipped: number }> {
  const result = await build({
    stdin: {
      contents: `export { ${imports} } from './index.ts';`,
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@troupe/source'],
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0]!.contents;
  return {
    code: new TextDecoder().decode(bytes),
    minified: bytes.length,
    gzipped: gzipSync(bytes, { level: 9 }).length,
  };
}

describe('browser bundle', () => {
  it('keeps the core within 6 kB min+gzip and free of node: imports', async () => {
    const core = await browserBundle('connect');
    const app = await browserBundle('connect, defineProtocol, type');
    console.log(
      `@troupe/client browser core (connect): ${core.minified} B minified, ${core.gzipped} B min+gzip ` +
        `(budget ${BUDGET} B); with defineProtocol and type: ${app.gzipped} B min+gzip`,
    );
    for (const { code } of [core, app]) {
      expect(code).not.toMatch(/["']node:/);
      // `ws` is only ever imported by name at run time in Node, never bundled.
      expect(code).not.toMatch(/WebSocketServer|perMessageDeflate/);
    }
    expect(core.gzipped).toBeLessThanOrEqual(BUDGET);
  });
});
