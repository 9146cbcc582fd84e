import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { AcceptedOp } from '../../../lib/domain';
import { TendStore } from '../../../lib/store';
import { brambleDescription } from '../../fixtures/bramble/description';

const ORIGIN = 'https://bramble.example.net';
let n = 0;
const fresh = async () => {
  const store = await TendStore.open({ name: `tend-sites-${++n}` });
  await store.me();
  return store;
};

/** A `site` op as the team server hands it out. */
const published = (description: ReturnType<typeof brambleDescription> | null, ms: number, actor = 'mgr', seq = ms): AcceptedOp =>
  ({ v: 1, id: `site-op-${ms}`.padEnd(20, 'x'), hlc: `${String(ms).padStart(13, '0')}:00000:${actor}`, actor, type: 'site', origin: ORIGIN, description, seq, at: ms }) as AcceptedOp;

describe('site descriptions in the store', () => {
  it('keeps this browser’s description per origin; saving the same one again changes nothing', async () => {
    const store = await fresh();
    expect(await store.descriptionFor(ORIGIN)).toBeNull();
    expect(await store.saveLocalSite(ORIGIN, brambleDescription(ORIGIN), 1_000)).toBe(true);
    expect(await store.saveLocalSite(ORIGIN, brambleDescription(ORIGIN), 2_000)).toBe(false);
    expect((await store.localSites())[ORIGIN]).toMatchObject({ savedAt: 1_000, description: { name: 'Bramble' } });
    expect(await store.descriptionFor(ORIGIN)).toMatchObject({ source: 'local', description: { name: 'Bramble' } });
    expect(await store.removeLocalSite(ORIGIN)).toBe(true);
    expect(await store.removeLocalSite(ORIGIN)).toBe(false);
    expect(await store.descriptionFor(ORIGIN)).toBeNull();
  });

  it('folds the team’s descriptions newest first, in any order, and lets mine override theirs', async () => {
    const store = await fresh();
    const v1 = { ...brambleDescription(ORIGIN), name: 'Bramble v1' };
    const v2 = { ...brambleDescription(ORIGIN), name: 'Bramble v2' };
    const changes = await store.applyAccepted([published(v2, 2_000, 'mgr', 2), published(v1, 1_000, 'mgr', 1)]);
    expect([...(changes.sites ?? [])]).toEqual([ORIGIN]);
    expect(await store.descriptionFor(ORIGIN)).toMatchObject({ source: 'team', description: { name: 'Bramble v2' } });
    await store.saveLocalSite(ORIGIN, { ...brambleDescription(ORIGIN), name: 'Mine' });
    expect(await store.descriptionFor(ORIGIN)).toMatchObject({ source: 'local', description: { name: 'Mine' } });
    await store.removeLocalSite(ORIGIN);
    // Taken back by the team.
    await store.applyAccepted([published(null, 3_000, 'mgr', 3)]);
    expect(await store.descriptionFor(ORIGIN)).toBeNull();
    expect((await store.teamSites())[ORIGIN]).toMatchObject({ description: null, actor: 'mgr' });
    // Leaving or joining a team forgets the team's, never mine.
    await store.applyAccepted([published(v2, 4_000, 'mgr', 4)]);
    await store.saveLocalSite('https://other.example.org', { ...brambleDescription('https://other.example.org') });
    await store.resetSynced();
    expect(await store.teamSites()).toEqual({});
    expect(Object.keys(await store.localSites())).toEqual(['https://other.example.org']);
  });
});
