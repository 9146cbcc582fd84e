/**
 * Devices whose wall clocks disagree, on the real sync client, store and server: whatever a
 * device has seen, it orders its own later actions after, so "later" means what the person
 * did later, not what a wrong clock says.
 */
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareHlc, postKey, threadKey } from '../../lib/domain';
import { TendStore } from '../../lib/store';
import { SyncClient } from '../../lib/sync';
import type { TendServer } from '../../server/http';
import { freshSqlite, post, serve, thread, type Backend } from './helpers';

const MINUTE = 60_000;
let n = 0;
const clients: SyncClient[] = [];

/** A device whose wall clock is `skewMs` off. */
async function deviceWithClock(skewMs: number) {
  const now = () => Date.now() + skewMs;
  const store = await TendStore.open({ name: `tend-clock-skew-${++n}`, now });
  await store.me();
  const client = new SyncClient({ store, now });
  clients.push(client);
  return { store, client, now };
}

describe('devices with wrong clocks', () => {
  let backend: Backend;
  let server: TendServer;
  let teams = 0;

  beforeAll(async () => {
    backend = freshSqlite();
    server = await serve(backend.url);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
    await backend?.drop();
  });

  /** One member with a laptop 2 minutes fast and a phone on time. */
  async function memberWithTwoDevices() {
    const team = await server.store.resolveTeam(`skew-${++teams}`, true);
    const laptop = await deviceWithClock(2 * MINUTE);
    const joined = await laptop.client.join(server.url, (await server.store.createInvite(team.id, 'member')).code, 'Ann');
    const phone = await deviceWithClock(0);
    const { code } = await server.store.createInvite(team.id, 'member', { memberId: joined.member.id });
    await phone.client.join(server.url, code, 'Ann');
    return { team, laptop, phone, memberId: joined.member.id };
  }

  it('a retract made on the phone after it saw the laptop’s endorsement wins, though the laptop’s clock is ahead', async () => {
    const { laptop, phone } = await memberWithTwoDevices();
    const p = post('skew', '1');
    const endorsed = await laptop.store.act({ type: 'endorse', post: p, author: 'dora', viewer: null, note: 'Great answer' });
    await laptop.client.pushOnce();
    await phone.client.pullOnce();
    expect((await phone.store.endorsementsOf(p)).map((e) => e.note)).toEqual(['Great answer']);

    // A minute later (by the phone's correct clock, a minute before the laptop's stamp) she takes it back.
    const retracted = await phone.store.act({ type: 'retract', post: p }, phone.now() + MINUTE);
    expect(compareHlc(retracted.op.hlc, endorsed.op.hlc)).toBe(1);
    await phone.client.pushOnce();
    await laptop.client.pullOnce();
    expect(await phone.store.endorsementsOf(p)).toEqual([]);
    expect(await laptop.store.endorsementsOf(p)).toEqual([]);
    const state = await server.store.state((await phone.store.getMeta<{ teamId: string }>('team'))!.teamId);
    expect([...state.endorsements.values()].filter((e) => e.postKey === postKey(p)).map((e) => e.retracted)).toEqual([true]);
  });

  it('an observation made after seeing a teammate’s newer-clocked one wins, on every device', async () => {
    const team = await server.store.resolveTeam(`skew-${++teams}`, true);
    const fast = await deviceWithClock(2 * MINUTE);
    await fast.client.join(server.url, (await server.store.createInvite(team.id, 'member')).code, 'Ann');
    const slow = await deviceWithClock(-3 * MINUTE);
    await slow.client.join(server.url, (await server.store.createInvite(team.id, 'member')).code, 'Bob');
    const t = thread('skew-observed');

    await fast.store.act({ type: 'observe', thread: t, fields: { title: 'Old title', answered: false } });
    await fast.client.pushOnce();
    await slow.client.pullOnce();
    // Bob sees the thread renamed and answered a minute later; his clock is five minutes behind Ann's.
    await slow.store.act({ type: 'observe', thread: t, fields: { title: 'New title', answered: true } }, slow.now() + MINUTE);
    await slow.client.pushOnce();
    await fast.client.pullOnce();
    for (const d of [fast, slow]) {
      const [record] = await d.store.threads([threadKey(t)]);
      expect(record?.observation?.fields.title?.value).toBe('New title');
      expect(record?.observation?.fields.answered?.value).toBe(true);
    }
    const state = await server.store.state(team.id);
    expect(state.observations.get(threadKey(t))?.fields.title?.value).toBe('New title');
  });

  it('a live message moves the clock too, and an acknowledgement of my own op never moves it back', async () => {
    const { laptop, phone } = await memberWithTwoDevices();
    const p = post('skew-live', '1');
    const endorsed = await laptop.store.act({ type: 'endorse', post: p, author: 'dora', viewer: null });
    await laptop.client.pushOnce();
    // The phone learns of it over the live socket, not by pulling.
    const { default: WebSocket } = await import('ws');
    const live = new SyncClient({ store: phone.store, now: phone.now, WebSocket: WebSocket as never });
    clients.push(live);
    live.connectLive();
    const end = Date.now() + 5_000;
    while ((await phone.store.endorsementsOf(p)).length === 0) {
      if (Date.now() > end) throw new Error('the live socket did not deliver the endorsement');
      await new Promise((r) => setTimeout(r, 20));
    }
    const clock = await phone.store.getMeta<string>('hlc');
    expect(compareHlc(clock!, endorsed.op.hlc)).toBe(1);
    const next = await phone.store.act({ type: 'retract', post: p });
    expect(compareHlc(next.op.hlc, endorsed.op.hlc)).toBe(1);
    await live.pushOnce();
    expect(compareHlc((await phone.store.getMeta<string>('hlc'))!, next.op.hlc)).toBeGreaterThanOrEqual(0);
  });
});
