/** The settings page's requests for reminders, the pause switch and the team's lease length. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createHandler, route, type SenderLike } from '../../../lib/messaging';
import { TendStore, type Changes } from '../../../lib/store';
import { DEFAULT_REMINDER_SETTINGS } from '../../../lib/reminders/plan';

const env = { runtimeId: 'tend-id', extensionBase: 'chrome-extension://tend-id/' };
const pageSender: SenderLike = { id: 'tend-id', url: 'chrome-extension://tend-id/options.html' };
const contentSender: SenderLike = { id: 'tend-id', url: 'https://meta.discourse.org/t/x/1', origin: 'https://meta.discourse.org', tab: { id: 7 }, frameId: 0 };

let n = 0;
async function setup(sync?: { setLeaseMs(ms: number): Promise<number> }) {
  const store = await TendStore.open({ name: `tend-settings-${++n}` });
  await store.me();
  const changes: Changes[] = [];
  let looked = 0;
  const handle = createHandler({
    store,
    notify: (c) => changes.push(c),
    version: '1.0.0',
    reminders: { looked: async () => void looked++ },
    ...(sync ? { sync: { join: async () => ({}) as never, leave: async () => undefined, status: async () => ({ state: 'synced' as const, lastSyncAt: null }), ...sync } } : {}),
  });
  const send = (request: unknown, sender: SenderLike = pageSender) => route({ tend: 1, request }, sender, env, handle);
  return { store, send, changes, looked: () => looked };
}

describe('settings requests', () => {
  it('reads the reminder defaults, saves a choice and tells the background at once', async () => {
    const { send, changes } = await setup();
    expect(await send({ type: 'reminders.get' })).toEqual({ ok: true, value: DEFAULT_REMINDER_SETTINGS });
    const next = { leadMs: 30 * 60_000, expiring: true, expired: false, handed: true, refused: true };
    expect(await send({ type: 'reminders.set', ...next })).toEqual({ ok: true, value: next });
    expect(await send({ type: 'reminders.get' })).toEqual({ ok: true, value: next });
    expect(changes.at(-1)?.mine).toBe(true);
    expect((await send({ type: 'reminders.set', ...next, leadMs: 5 })).ok).toBe(false);
    expect((await send({ type: 'reminders.set', ...next }, contentSender)).ok).toBe(false);
  });

  it('marks my claims seen when the popup shows them, and tells pages when Tend is paused', async () => {
    const { send, changes, looked } = await setup();
    expect(await send({ type: 'reminders.seen' })).toEqual({ ok: true, value: { ok: true } });
    expect(looked()).toBe(1);
    await send({ type: 'settings.setPaused', paused: true });
    expect(changes.at(-1)?.mine).toBe(true);
  });

  it('lets only a manager change the lease length, through the team server', async () => {
    const asked: number[] = [];
    const { store, send } = await setup({ setLeaseMs: async (ms) => (asked.push(ms), ms) });
    expect(await send({ type: 'team.setLease', leaseMs: 8 * 3_600_000 })).toMatchObject({ ok: false, code: 'no-team' });
    await store.setMeta('team', { role: 'member' });
    expect(await send({ type: 'team.setLease', leaseMs: 8 * 3_600_000 })).toMatchObject({ ok: false, code: 'not-manager' });
    await store.setMeta('team', { role: 'manager' });
    expect(await send({ type: 'team.setLease', leaseMs: 8 * 3_600_000 })).toEqual({ ok: true, value: { leaseMs: 8 * 3_600_000 } });
    expect(asked).toEqual([8 * 3_600_000]);
    expect((await send({ type: 'team.setLease', leaseMs: 10 })).ok).toBe(false);
  });
});
