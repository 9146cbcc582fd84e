/**
 * What the background does for each request, on top of the store. Kept apart from the
 * WXT entrypoint so it runs unchanged in tests with a fake IndexedDB.
 */
import {
  err,
  isActive,
  observationDelta,
  ok,
  postKey,
  sameHandle,
  threadKey,
  threadState,
  type Payload,
  type PostRef,
  type Result,
  type ThreadRef,
} from '../domain';
import type { Changes, TendStore } from '../store';
import type { SiteAccess } from '../permissions/site-access';
import type { AnyRequest, PostState, StateSnapshot, SyncJoined, SyncStatusView, ThreadStateView } from './protocol';
import type { Caller, Handle } from './router';

/** How long the team server's refusal of my action stays shown on the post or thread. */
export const REFUSAL_SHOWN_MS = 10 * 60_000;

/** Services the handlers use besides the store. */
export interface HandlerDeps {
  store: TendStore;
  /** Tell subscribers what changed. */
  notify: (changes: Changes) => void;
  now?: () => number;
  version: string;
  /** Enabling Tend on sites (`site.*` requests); absent where there is no browser to ask. */
  sites?: Pick<SiteAccess, 'statusOfTab' | 'enable' | 'disable'>;
  /** Team sync (`sync.*` requests); absent where there is none. */
  sync?: {
    join(server: string, code: string, name: string): Promise<SyncJoined>;
    leave(): Promise<void>;
    status(): Promise<SyncStatusView>;
  };
}

/** Builds the state of some posts and threads, as overlays show it. */
export async function snapshot(store: TendStore, posts: readonly PostRef[], threads: readonly ThreadRef[], now: number): Promise<StateSnapshot> {
  const [endorsements, views, me, people, rejections] = await Promise.all([
    posts.length ? store.endorsementsOfMany(posts) : new Map(),
    threads.length ? store.threadViews(threads.map(threadKey), now) : new Map(),
    store.me(),
    threads.length ? store.people() : [],
    store.rejections(),
  ]);
  const names = new Map(people.map((p) => [p.id, p.name]));
  // The team server's latest refusal of one of my actions here, shown in place for a while.
  const refused = new Map<string, string>();
  for (const r of rejections) {
    if (now - r.at > REFUSAL_SHOWN_MS) continue;
    const key = r.op.type === 'endorse' || r.op.type === 'retract' ? postKey(r.op.post) : r.op.type === 'member' ? null : threadKey(r.op.thread);
    if (key && !refused.has(key)) refused.set(key, r.reason);
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
  for (const [key, view] of views as Awaited<ReturnType<TendStore['threadViews']>>) {
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
              holderName: c.holder === me.id ? me.name || 'You' : (names.get(c.holder) ?? 'A teammate'),
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

/** Creates the request handler used by the router. */
export function createHandler(deps: HandlerDeps): Handle {
  const { store, notify } = deps;
  const now = deps.now ?? Date.now;

  const act = async (payload: Payload): Promise<Changes> => {
    const r = await store.act(payload, now());
    notify(r.changes);
    return r.changes;
  };
  const stateOf = (posts: PostRef[], threads: ThreadRef[]) => snapshot(store, posts, threads, now());

  return async (request: AnyRequest, caller: Caller): Promise<Result<unknown>> => {
    switch (request.type) {
      case 'page.seen':
        return ok(await observe(request, caller));
      case 'state.get':
        return ok(await stateOf(request.posts, request.threads));
      case 'post.endorse': {
        const { type: _, ...rest } = request;
        await act({ type: 'endorse', ...rest });
        return ok(await stateOf([request.post], []));
      }
      case 'post.retract':
        await act({ type: 'retract', post: request.post });
        return ok(await stateOf([request.post], []));
      case 'thread.claim':
        await act({ type: 'claim', thread: request.thread });
        return ok(await stateOf([], [request.thread]));
      case 'thread.renew':
      case 'thread.release':
      case 'thread.resolve': {
        const type = request.type.slice('thread.'.length) as 'renew' | 'release' | 'resolve';
        await act({ type, thread: request.thread, epoch: request.epoch });
        return ok(await stateOf([], [request.thread]));
      }
      case 'thread.handoff':
        await act({ type: 'handoff', thread: request.thread, epoch: request.epoch, to: request.to });
        return ok(await stateOf([], [request.thread]));
      case 'claim.act':
        await act({ type: request.action, thread: request.thread, epoch: request.epoch });
        return ok({ ok: true });
      case 'app.ping':
        return ok({ version: deps.version });
      case 'me.get': {
        const me = await store.me();
        return ok({ id: me.id, name: me.name, paused: Boolean(await store.getMeta('paused')), team: await store.teamMode() });
      }
      case 'me.setName': {
        const me = await store.me();
        await store.setMe({ ...me, name: request.name });
        await act({ type: 'member', name: request.name });
        return ok({ id: me.id, name: request.name });
      }
      case 'settings.setPaused':
        await store.setMeta('paused', request.paused);
        return ok({ paused: request.paused });
      case 'site.status':
      case 'site.enable':
      case 'site.disable': {
        const sites = deps.sites;
        if (!sites) return err('Tend cannot change site access here', 'unavailable');
        if (request.type === 'site.status') return ok(await sites.statusOfTab(request.tabId));
        if (request.type === 'site.enable') return ok(await sites.enable(request.origin, request.tabId));
        return ok(await sites.disable(request.origin));
      }
      case 'sync.join':
      case 'sync.leave':
      case 'sync.status': {
        const sync = deps.sync;
        if (!sync) return err('Tend cannot sync with a team here', 'unavailable');
        if (request.type === 'sync.join') return ok(await sync.join(request.server, request.code, request.name));
        if (request.type === 'sync.leave') await sync.leave();
        return ok(await sync.status());
      }
    }
  };

  /**
   * Records what a page showed: only fields that changed become an `observe` op, never in
   * private windows, never while paused. The viewer's handle is linked to me, so I cannot
   * endorse my own posts from another page later.
   */
  async function observe(request: Extract<AnyRequest, { type: 'page.seen' }>, caller: Caller): Promise<StateSnapshot & { observed: number }> {
    const threads = request.threads.map((t) => ({ site: request.site, threadId: t.threadId }));
    const [paused, records, me] = await Promise.all([store.getMeta('paused'), store.threads(threads.map(threadKey)), store.me()]);
    const payloads: Payload[] = [];
    if (!(caller.kind === 'content' && caller.incognito) && !paused) {
      const byKey = new Map(records.map((r) => [r.key, r]));
      for (const { threadId, ...fields } of request.threads) {
        const ref = { site: request.site, threadId };
        const delta = observationDelta(byKey.get(threadKey(ref))?.observation ?? undefined, fields);
        if (delta) payloads.push({ type: 'observe', thread: ref, fields: delta });
      }
      if (request.viewer) {
        const handles = (await store.person(me.id))?.handles ?? [];
        if (!handles.some((h) => h.site === request.site && sameHandle(h.handle, request.viewer))) {
          payloads.push({ type: 'member', handles: [...handles, { site: request.site, handle: request.viewer }].slice(-50) });
        }
      }
    }
    // One transaction for everything the visit changed.
    if (payloads.length) notify((await store.actMany(payloads, now())).changes);
    const observed = payloads.filter((p) => p.type === 'observe').length;
    return { ...(await stateOf([], threads)), observed };
  }
}

