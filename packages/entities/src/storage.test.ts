import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaleEpochError } from './errors.js';
import { type EntityStorage, FileStorage, MemoryStorage } from './storage.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<EntityStorage>]> = [
  ['memory', async () => new MemoryStorage()],
  [
    'file',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'troupe-entities-'));
      dirs.push(dir);
      return new FileStorage(dir);
    },
  ],
];

describe.each(stores)('%s storage', (_name, make) => {
  it('loads what was saved, and nothing for an unknown entity', async () => {
    const s = await make();
    expect(await s.load('player', 'p/1')).toBeUndefined();
    await s.save('player', 'p/1', { gold: 5 }, 1);
    expect(await s.load('player', 'p/1')).toEqual({ state: { gold: 5 }, epoch: 1 });
    await s.save('player', 'p/1', { gold: 7 }, 1);
    await s.save('player', 'p/1', { gold: 9 }, 3);
    expect(await s.load('player', 'p/1')).toEqual({ state: { gold: 9 }, epoch: 3 });
  });

  it('refuses a save from an older epoch (a fenced owner)', async () => {
    const s = await make();
    await s.save('player', 'x', 'new', 4);
    await expect(s.save('player', 'x', 'old', 3)).rejects.toBeInstanceOf(StaleEpochError);
    expect((await s.load('player', 'x'))?.state).toBe('new');
  });

  it('keeps concurrent saves of one entity in order', async () => {
    const s = await make();
    await Promise.all([1, 2, 3, 4, 5].map((n) => s.save('k', 'id', { n }, n)));
    expect(await s.load('k', 'id')).toEqual({ state: { n: 5 }, epoch: 5 });
  });
});

it('file storage survives a new instance (another process run)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'troupe-entities-'));
  dirs.push(dir);
  await new FileStorage(dir).save('k', 'a', [1, 2], 2);
  expect(await new FileStorage(dir).load('k', 'a')).toEqual({ state: [1, 2], epoch: 2 });
});
