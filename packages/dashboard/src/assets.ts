// The page's static files: our own from `public/`, uPlot's from its installed package (no CDN).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** One file served as it is. */
export interface Asset {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
// `public/` sits beside `src/` and `dist/` alike.
const publicDir = new URL('../public/', import.meta.url);

/** Reads every asset once, at start, by the path the page asks for. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const files: Array<[path: string, file: string | URL, type: string]> = [
    ['/', new URL('index.html', publicDir), 'text/html; charset=utf-8'],
    ['/app.js', new URL('app.js', publicDir), 'text/javascript; charset=utf-8'],
    ['/app.css', new URL('app.css', publicDir), 'text/css; charset=utf-8'],
    ['/uplot.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['/uplot.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const assets = new Map<string, Asset>();
  for (const [path, file, type] of files) assets.set(path, { type, body: await readFile(file) });
  return assets;
}
