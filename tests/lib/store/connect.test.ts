import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, TendStore } from '../../../lib/store';
import { NeedsUpgrade, openCurrent } from '../../../lib/store/connect';
import { TendReader } from '../../../lib/store/queries';

let n = 0;
const fresh = () => `tend-connect-${++n}`;

describe('opening the database with the least code', () => {
  it('opens a database at the current version, and a reader reads over that connection', async () => {
    const name = fresh();
    const store = await TendStore.open({ name });
    const me = await store.me();
    const reader = await TendReader.over(openCurrent(name), name);
    expect((await reader.getMeta<{ id: string }>('me'))?.id).toBe(me.id);
    reader.close();
  });

  it('leaves a missing database uncreated, and the reader creates it with every migration', async () => {
    const name = fresh();
    await expect(openCurrent(name)).rejects.toBeInstanceOf(NeedsUpgrade);
    expect((await indexedDB.databases()).some((d) => d.name === name)).toBe(false);
    const reader = await TendReader.over(openCurrent(name), name);
    expect(await reader.people()).toEqual([]);
    reader.close();
    const db = await openDB(name);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames]).toContain('aggregates');
    db.close();
  });

  it('leaves an older database as it was, for the migrating open', async () => {
    const name = fresh();
    const old = await openDB(name, 1, { upgrade: (db) => void db.createObjectStore('meta') });
    old.close();
    await expect(openCurrent(name)).rejects.toBeInstanceOf(NeedsUpgrade);
    const db = await openDB(name);
    expect(db.version).toBe(1);
    db.close();
  });
});
