/**
 * Durable SQLite commits off the event loop (synchronous=FULL, `WalSync` in server/db.ts):
 * a push is committed with its WAL frames written, and answered, announced and readable by
 * others only once a sync of the WAL file that began after its commit has finished. The
 * sync is replaced here by one the test opens and fails at will.
 */
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../server/db';
import { TeamStore, type Auth, type StoreEvent } from '../../server/team-store';
import { freshSqlite, op, thread, type Backend } from './helpers';

/** A stand-in for fdatasync: each call waits until the test lets it finish, or fail. */
class Gate {
  calls: { resolve: () => void; reject: (e: Error) => void }[] = [];
  sync = (fd: number): Promise<void> => {
    expect(fd).toBeGreaterThan(0);
    return new Promise<void>((resolve, reject) => this.calls.push({ resolve, reject }));
  };
  /** Lets the oldest waiting sync finish. */
  async finish(): Promise<void> {
    await until(() => this.calls.length > 0);
    this.calls.shift()!.resolve();
  }
  async fail(): Promise<void> {
    await until(() => this.calls.length > 0);
    this.calls.shift()!.reject(new Error('EIO: i/o error, fdatasync'));
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}

/** Whether a promise has settled, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return done;
}

describe('SQLite with synchronous=FULL: commits synced off the event loop', () => {
  let backend: Backend;
  let db: Db;
  let gate: Gate;
  let store: TeamStore;
  let events: StoreEvent[];
  let alice: Auth;
  let teamId: string;

  beforeEach(async () => {
    backend = freshSqlite();
    gate = new Gate();
    // The team and its member are made with real syncs; the gate takes over for the pushes.
    const real = { sync: null as null | ((fd: number) => Promise<void>) };
    db = await openDb({ kind: 'sqlite', file: backend.url }, { syncFile: (fd) => (real.sync ? real.sync(fd) : Promise.resolve()) });
    store = new TeamStore(db);
    const team = await store.createTeam('durable');
    teamId = team.id;
    const { code } = await store.createInvite(team.id, 'member');
    alice = (await store.authenticate((await store.join(code, 'Alice')).token))!;
    real.sync = gate.sync;
    events = [];
    store.onEvent((e) => events.push(e));
  });

  afterEach(async () => {
    for (const c of gate.calls) c.resolve();
    await db.close();
    await backend.drop();
  });

  it('keeps the connection at FULL outside its own commits', async () => {
    expect(db.wal).toBeDefined();
    expect(db.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
    const pushed = store.push(alice, [op({ type: 'claim', thread: thread('t1') }, alice.member.id)]);
    await until(() => gate.calls.length === 1);
    expect(db.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
    await gate.finish();
    await pushed;
  });

  it('answers a push, announces it and lets it be read only once its sync has finished', async () => {
    const claim = op({ type: 'claim', thread: thread('t1') }, alice.member.id);
    const pushed = store.push(alice, [claim]);
    await until(() => gate.calls.length === 1);
    // Committed (the row is there), but not on disk yet: not answered, not announced, not pulled.
    expect(db.sqlite!.prepare('select count(*) as n from ops where id = ?').get(claim.id)).toEqual({ n: 1 });
    expect(await settled(pushed)).toBe(false);
    expect(events).toEqual([]);
    const pulled = store.pull(teamId, 0, 100);
    expect(await settled(pulled)).toBe(false);
    await gate.finish();
    const [ack] = await pushed;
    expect(ack).toMatchObject({ id: claim.id, ok: true });
    expect(events).toMatchObject([{ type: 'ops', teamId, seq: (ack as { seq: number }).seq }]);
    expect((await pulled).rows.map((r) => JSON.parse(r.body).id)).toContain(claim.id);
  });

  it('reads the pushes that arrive while a group syncs, and commits them together once it is done, each answered after a sync of its own', async () => {
    const claims = () => (db.sqlite!.prepare("select count(*) as n from ops where type = 'claim'").get() as { n: number }).n;
    const first = store.push(alice, [op({ type: 'claim', thread: thread('a') }, alice.member.id)]);
    await until(() => gate.calls.length === 1);
    const order: string[] = [];
    void first.then(() => order.push('first'));
    const later = [0, 1, 2].map((i) => store.push(alice, [op({ type: 'claim', thread: thread(`b${i}`) }, alice.member.id)]));
    for (const [i, p] of later.entries()) void p.then(() => order.push(`later ${i}`));
    // They wait for the first group's sync, then go in one commit with one sync.
    expect(await settled(Promise.all(later))).toBe(false);
    expect(claims()).toBe(1);
    await gate.finish();
    await first;
    await until(() => claims() === 4);
    expect(await settled(Promise.all(later))).toBe(false);
    await until(() => gate.calls.length === 1);
    await gate.finish();
    const acks = (await Promise.all(later)).flat();
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(order).toEqual(['first', 'later 0', 'later 1', 'later 2']);
    expect(events.map((e) => (e.type === 'ops' ? e.rows?.length : 0))).toEqual([1, 3]);
    expect(gate.calls).toHaveLength(0);
  });

  it('refuses every push of a group whose sync fails, and stores nothing more until started again', async () => {
    const pushes = [0, 1, 2].map((i) => store.push(alice, [op({ type: 'observe', thread: thread(`o${i}`), fields: { replies: i } }, alice.member.id)]));
    await gate.fail();
    const results = await Promise.allSettled(pushes);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/could not be synced to disk/) } });
    expect(events).toEqual([]);
    // Nothing is written any more, and what was committed unsynced is not read out.
    await expect(store.push(alice, [op({ type: 'claim', thread: thread('after') }, alice.member.id)])).rejects.toThrow(/could not be synced/);
    expect(db.sqlite!.prepare("select count(*) as n from ops where type = 'claim'").get()).toEqual({ n: 0 });
    await expect(store.pull(teamId, 0, 100)).rejects.toThrow(/could not be synced/);
  });
});

describe('SQLite checkpoints', () => {
  it('copies the WAL into the database file from the checkpointer thread, while pushes go on', async () => {
    const backend = freshSqlite();
    const db = await openDb({ kind: 'sqlite', file: backend.url }, { checkpointPages: 50 });
    try {
      const store = new TeamStore(db);
      const team = await store.createTeam('checkpoints');
      const { code } = await store.createInvite(team.id, 'member');
      const alice = (await store.authenticate((await store.join(code, 'Alice')).token))!;
      const before = statSync(backend.url).size;
      // The serving connection checkpoints by itself only far past this: growth of the file is the checkpointer's.
      for (let i = 0; i < 10 && statSync(backend.url).size === before; i++) {
        const acks = await store.push(alice, Array.from({ length: 100 }, (_, j) => op({ type: 'observe', thread: thread(`c${i}-${j}`), fields: { title: 'x'.repeat(200) } }, alice.member.id)));
        expect(acks.every((a) => a.ok)).toBe(true);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(statSync(backend.url).size).toBeGreaterThan(before);
      expect((await store.pull(team.id, 0, 1000)).rows.length).toBeGreaterThan(100);
    } finally {
      await db.close();
      await backend.drop();
    }
  });
});
