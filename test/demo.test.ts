// `pnpm demo -- --for 6s`: both clusters from their configs, the chat page, dashboards, bots chatting and
// playing, a live summary, then the summary tables and exit 0.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnTs } from './spawned.js';

const entry = fileURLToPath(new URL('../packages/examples/src/demo.ts', import.meta.url));
afterEach(killAll);

describe('pnpm demo', () => {
  it('runs im and game with bots for --for, serves the chat page and dashboards, and exits 0 with a summary', async () => {
    const p = spawnTs(entry, ['--', '--for', '6s', '--clients', '6']);
    const first = JSON.parse(await p.line(/^\{/, 30_000)) as {
      chat: string;
      dashboards: { im: string; game: string };
    };
    const page = await fetch(first.chat);
    expect(await page.text()).toMatch(/<title>Troupe IM<\/title>/);
    for (const url of [first.dashboards.im, first.dashboards.game]) {
      const res = await fetch(new URL('/api/cluster', url));
      expect(res.status).toBe(200);
    }
    expect(await p.exited(40_000)).toBe(0);
    const out = p.stdout.join('\n');
    expect(out).toMatch(/^Troupe demo: 13 nodes in two clusters up in \d+ ms$/m);
    for (const target of ['im', 'game']) {
      const table = new RegExp(
        `\\| target +\\| ${target} +\\|[\\s\\S]*?\\| requests +\\| (\\d+)[\\s\\S]*?\\| errors +\\| (\\d+)`,
      ).exec(out);
      expect(Number(table?.[1])).toBeGreaterThan(10);
      expect(Number(table?.[2])).toBe(0);
    }
    expect(p.stderr.join('\n')).toMatch(/\d+s {2}nodes 13 {2}sessions 6 {2}msgs\/s \d+/);
    expect(out).toMatch(/demo stopped$/);
  }, 60_000);
});
