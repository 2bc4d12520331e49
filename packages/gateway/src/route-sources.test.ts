// Route sources: code, file and KV layered, live reload, malformed entries and files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKv } from '@troupe/runtime';
import { waitFor } from '@troupe/runtime/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteConfigError } from './errors.js';
import { RouteSources } from './route-sources.js';
import type { RouteTable } from './routes.js';

const log = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function tempFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'troupe-routes-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'routes.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('RouteSources', () => {
  it('layers code, file and KV (later wins per msgId) and follows KV changes live', async () => {
    const kv = new MemoryKv();
    await kv.put('routes/add', JSON.stringify({ msgId: 8, service: 3, handler: 'add' }));
    const file = await tempFile({
      routes: { '8': { service: 2, handler: 'add' }, '9': { service: 2, handler: 'x' } },
    });
    const tables: RouteTable[] = [];
    const sources = new RouteSources(
      [
        { msgId: 1, service: 2, handler: 'echo' },
        { msgId: 8, service: 1, handler: 'add' },
      ],
      { file, kvPrefix: 'routes/', kv, log },
      (t) => tables.push(t),
    );
    cleanups.push(() => sources.stop());
    await sources.start();
    expect(sources.table.get(1)?.service).toBe(2);
    expect(sources.table.get(8)?.service).toBe(3);
    expect(sources.table.get(9)?.handler).toBe('x');
    await kv.put('routes/more', JSON.stringify([{ msgId: 20, service: 4, handler: 'y', rule: 'pass' }]));
    await waitFor(() => sources.table.get(20) !== undefined, 2000, 'the KV route');
    await kv.delete('routes/add');
    await waitFor(() => sources.table.get(8)?.service === 2, 2000, 'the KV route removed');
    expect(tables.length).toBeGreaterThanOrEqual(3);
  });

  it('skips a malformed KV entry, keeping the rest', async () => {
    const kv = new MemoryKv();
    await kv.put('routes/bad', '{"msgId": "eight"}');
    await kv.put('routes/good', JSON.stringify({ msgId: 8, service: 2, handler: 'add' }));
    const sources = new RouteSources([], { file: undefined, kvPrefix: 'routes/', kv, log });
    cleanups.push(() => sources.stop());
    await sources.start();
    expect(sources.table.list().map((r) => r.msgId)).toEqual([8]);
  });

  it('fails the start on a bad file, and keeps the old table when a reload is bad', async () => {
    const kv = new MemoryKv();
    const broken = await tempFile({ routes: [{ msgId: 1, service: 2 }] });
    const failing = new RouteSources([], { file: broken, kvPrefix: false, kv, log });
    await expect(failing.start()).rejects.toThrow(RouteConfigError);
    failing.stop();

    const file = await tempFile([{ msgId: 1, service: 2, handler: 'echo' }]);
    const sources = new RouteSources([], { file, kvPrefix: false, kv, log });
    cleanups.push(() => sources.stop());
    await sources.start();
    await writeFile(file, JSON.stringify([{ msgId: 1, service: 5, handler: 'echo' }]));
    await waitFor(() => sources.table.get(1)?.service === 5, 5000, 'the file reload');
    await writeFile(file, '{ not json');
    await writeFile(file, JSON.stringify([{ msgId: 1, service: 6, handler: 'echo' }, { msgId: 1 }]));
    await writeFile(file, JSON.stringify([{ msgId: 2, service: 7, handler: 'echo' }]));
    await waitFor(() => sources.table.get(2)?.service === 7, 5000, 'a good reload after bad ones');
  });
});
