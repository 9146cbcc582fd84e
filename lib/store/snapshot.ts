/**
 * The state of some posts and threads as overlays show them (what `state.get` answers and what
 * subscriptions push): a read of the query side, the same in the background and in tests.
 */
import { isActive, postKey, threadKey, threadState, type PostRef, type Refusal, type ThreadRef } from '../domain';
import type { PostState, StateSnapshot, ThreadStateView } from '../messaging/protocol';
import type { Me, StoreReads } from './reads';

/** How long the team server's refusal of my action stays shown on the post or thread. */
export const REFUSAL_SHOWN_MS = 10 * 60_000;

/** Builds the state of some posts and threads, as overlays show it. */
export async function snapshot(store: StoreReads, posts: readonly PostRef[], threads: readonly ThreadRef[], now: number): Promise<StateSnapshot> {
  const [endorsements, views, found, people, rejections] = await Promise.all([
    posts.length ? store.endorsementsOfMany(posts) : new Map(),
    threads.length ? store.threadViews(threads.map(threadKey), now) : new Map(),
    store.getMeta<Me>('me'),
    threads.length ? store.people() : [],
    store.rejections(),
  ]);
  // Before Tend has made me (a first start), nothing is mine.
  const me = found ?? { id: '', name: '' };
  const names = new Map(people.map((p) => [p.id, p.name]));
  // The team server's latest refusal of one of my actions here, shown in place for a while.
  const refused = new Map<string, Refusal>();
  for (const r of rejections) {
    if (now - r.at > REFUSAL_SHOWN_MS) continue;
    const key = r.op.type === 'endorse' || r.op.type === 'retract' ? postKey(r.op.post) : r.op.type === 'member' || r.op.type === 'site' ? null : threadKey(r.op.thread);
    if (key && !refused.has(key)) refused.set(key, { error: r.reason, ...(r.code ? { code: r.code } : {}), ...(r.detail ? { detail: r.detail } : {}) });
  }
  const out: StateSnapshot = { posts: {}, threads: {} };
  for (const [key, list] of endorsements as Map<string, PostState['endorsements']>) {
    out.posts[key] = {
      key,
      count: list.length,
      endorsements: list.map(({ actor, name, note, pending, mine }) => ({ actor, name, note, pending, mine })),
      mine: list.some((e) => e.mine),
      refused: refused.get(key) ?? null,
    };
  }
  for (const [key, view] of views as Awaited<ReturnType<StoreReads['threadViews']>>) {
    const c = view.claim;
    const state = threadState(c, view.record?.observation ?? undefined, now);
    const thread: ThreadStateView = {
      key,
      state,
      epoch: c?.epoch ?? 0,
      claim:
        // A live lease shows even on a thread the site reports answered.
        c && isActive(c, now)
          ? {
              holder: c.holder,
              // Empty when unknown: the overlay says "a teammate" in the page's language.
              holderName: c.holder === me.id ? me.name : (names.get(c.holder) ?? ''),
              mine: c.holder === me.id,
              epoch: c.epoch,
              since: c.since,
              expiresAt: c.expiresAt,
              pending: view.pending,
            }
          : null,
    };
    thread.refused = refused.get(key) ?? null;
    out.threads[key] = thread;
  }
  return out;
}
