/**
 * What the background does for each request, on top of the store. Kept apart from the
 * WXT entrypoint so it runs unchanged in tests with a fake IndexedDB.
 */
import {
  canonicalSite,
  err,
  parseSiteDescription,
  observationDelta,
  ok,
  sameHandle,
  threadKey,
  type Payload,
  type PostRef,
  type Result,
  type ThreadRef,
} from '../domain';
import type { Changes, TendStore } from '../store';
import type { SiteAccess } from '../permissions/site-access';
import type { AnyRequest, EditorCommand, EditorReport, PortPush, SiteEntry, StateSnapshot, SyncJoined, SyncStatusView } from './protocol';
import type { Caller, Handle } from './router';
import { ObservationLimiter, SeenCoalescer } from './observe-limits';
import { readReminderSettings, REMINDER_SETTINGS_KEY } from '../reminders/plan';
import { snapshot } from '../store/snapshot';

export { REFUSAL_SHOWN_MS, snapshot } from '../store/snapshot';


/** Services the handlers use besides the store. */
export interface HandlerDeps {
  store: TendStore;
  /** Tell subscribers what changed. */
  notify: (changes: Changes) => void;
  now?: () => number;
  version: string;
  /** Enabling Tend on sites (`site.*` requests); absent where there is no browser to ask. */
  sites?: Pick<SiteAccess, 'statusOfTab' | 'enable' | 'disable' | 'serviceOrigin'>;
  /** Team sync (`sync.*` requests); absent where there is none. */
  sync?: {
    join(server: string, code: string, name: string): Promise<SyncJoined>;
    leave(): Promise<void>;
    status(): Promise<SyncStatusView>;
    setLeaseMs?(leaseMs: number): Promise<number>;
  };
  /** The sites Tend runs on or may run on (`sites.list`), without what descriptions add. */
  siteList?: () => Promise<Omit<SiteEntry, 'local' | 'team' | 'seenAs'>[]>;
  /** The description editor's reach into tabs; absent where there are none. */
  editor?: {
    send(tabId: number, command: EditorCommand): Promise<unknown>;
    activate(tabId: number): Promise<void>;
    tabsOn(origin: string): Promise<{ id: number; title: string; url: string }[]>;
  };
  /** Pushes a message to every extension page that listens. */
  pushToPages?: (message: PortPush) => void;
  /** Reminders: the person has seen my claims (the popup showed them). */
  reminders?: { looked(): Promise<void> };
  /** Wipes what the browser keeps for Tend outside the database (storage.local, enabled sites). */
  wipeBrowser?: () => Promise<void>;
}

/** Scheme and host of an origin, or null. */
function originKeyOf(origin: string): string | null {
  try {
    const u = new URL(origin);
    return `${u.protocol}//${u.hostname}`;
  } catch {
    return null;
  }
}

/** Observations written per transaction when a page reports many changed threads. */
const SEEN_CHUNK = 100;

/** Where the platform that last read each site is kept (meta), for the settings' list. */
export const SEEN_AS_KEY = 'seenAs';

/** Creates the request handler used by the router. */
export function createHandler(deps: HandlerDeps): Handle {
  const { store, notify } = deps;
  const now = deps.now ?? Date.now;

  type SeenRequest = Extract<AnyRequest, { type: 'page.seen' }> & { caller: Caller };
  /** What pages report they show: merged per tab, and always after the actions in progress. */
  const seen = new SeenCoalescer<SeenRequest, StateSnapshot & { observed: number }>((r) => observe(r, r.caller));
  const act = async (payload: Payload): Promise<Changes> => {
    const r = await store.act(payload, now());
    notify(r.changes);
    return r.changes;
  };
  const stateOf = (posts: PostRef[], threads: ThreadRef[]) => snapshot(store, posts, threads, now());

  /** What pages may make Tend record (see observe-limits.ts). */
  const limiter = new ObservationLimiter();
  /** Which settings tab asked for a pick on which forum tab: it gets the focus back. */
  const pickedFor = new Map<number, number>();

  // A person's action, with the state its reply carries, goes ahead of any page's report.
  const handle = (request: AnyRequest, caller: Caller): Promise<Result<unknown>> =>
    request.type.startsWith('post.') || request.type.startsWith('thread.') || request.type === 'claim.act' ? seen.action(() => handleOne(request, caller)) : handleOne(request, caller);
  return handle;

  async function handleOne(request: AnyRequest, caller: Caller): Promise<Result<unknown>> {
    switch (request.type) {
      case 'page.seen':
        return ok(await seen.submit(caller.kind === 'content' ? `tab ${caller.tabId ?? caller.site}` : 'page', { ...request, caller }));
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
        const handles = (await store.person(me.id))?.handles ?? [];
        return ok({ id: me.id, name: me.name, paused: Boolean(await store.getMeta('paused')), team: await store.teamMode(), handles });
      }
      case 'me.setName': {
        const me = await store.me();
        await store.setMe({ ...me, name: request.name });
        await act({ type: 'member', name: request.name });
        return ok({ id: me.id, name: request.name });
      }
      case 'settings.setPaused':
        await store.setMeta('paused', request.paused);
        // Pages and reminders follow at once (no reload).
        notify({ posts: new Set(), threads: new Set(), people: new Set(), mine: true });
        return ok({ paused: request.paused });
      case 'reminders.get':
        return ok(readReminderSettings(await store.getMeta(REMINDER_SETTINGS_KEY)));
      case 'reminders.set': {
        const { type: _, ...settings } = request;
        await store.setMeta(REMINDER_SETTINGS_KEY, settings);
        notify({ posts: new Set(), threads: new Set(), people: new Set(), mine: true });
        return ok(readReminderSettings(settings));
      }
      case 'reminders.seen':
        await deps.reminders?.looked();
        return ok({ ok: true });
      case 'site.status':
      case 'site.enable':
      case 'site.disable': {
        const sites = deps.sites;
        if (!sites) return err('unavailable', 'Tend cannot change site access here');
        const status =
          request.type === 'site.status' ? await sites.statusOfTab(request.tabId) : request.type === 'site.enable' ? await sites.enable(request.origin, request.tabId) : await sites.disable(request.origin);
        return ok(await withReader(status));
      }
      case 'sync.join':
      case 'sync.leave':
      case 'sync.status': {
        const sync = deps.sync;
        if (!sync) return err('unavailable', 'Tend cannot sync with a team here');
        if (request.type === 'sync.join') {
          const joined = await sync.join(request.server, request.code, request.name);
          // The server's origin was granted for sync; a grant handled before the join was
          // known may have taken it for a forum.
          await deps.sites?.serviceOrigin(request.server).catch(() => undefined);
          // The store started over: what was observed before must be observable again.
          limiter.reset();
          return ok(joined);
        }
        if (request.type === 'sync.leave') {
          await sync.leave();
          limiter.reset();
        }
        return ok({ ...(await sync.status()), leaseMs: (await store.settings()).leaseMs });
      }
      case 'team.setLease': {
        const team = await store.getMeta<{ role?: string } | null>('team');
        if (!team || !deps.sync?.setLeaseMs) return err('no-team', 'join a team first');
        if (team.role !== 'manager') return err('not-manager', 'only a manager can change how long a claim lasts');
        const leaseMs = await deps.sync.setLeaseMs(request.leaseMs);
        notify({ posts: new Set(), threads: new Set(), people: new Set(), mine: true });
        return ok({ leaseMs });
      }

      // ---- site descriptions
      case 'site.description': {
        if (caller.kind !== 'content') return err('forbidden', 'only a page asks how to read itself');
        const found = await store.descriptionFor(caller.site);
        // Checked again on the way out: the page compiles its patterns without checking them.
        const checked = found ? parseSiteDescription(found.description) : null;
        return ok(found && checked?.ok ? { description: checked.value, source: found.source } : null);
      }
      case 'sites.list':
        return ok(await listSites());
      case 'site.description.get': {
        const site = canonicalSite(request.origin);
        const [local, team] = await Promise.all([store.localSites(), store.teamSites()]);
        return ok({ local: local[site]?.description ?? null, team: team[site]?.description ?? null });
      }
      case 'site.description.save': {
        const site = canonicalSite(request.origin);
        const parsed = parseSiteDescription(request.description);
        if (!parsed.ok) return err('invalid-description', parsed.reason, parsed.reason);
        if (!parsed.value.origins.some((o) => canonicalSite(o) === site)) return err('wrong-origin', `the description is for ${parsed.value.origins.join(', ')}, not ${request.origin}`, parsed.value.origins.join(', '));
        const changed = await store.saveLocalSite(site, parsed.value, now());
        if (changed) notify({ posts: new Set(), threads: new Set(), people: new Set(), mine: false, sites: new Set([site]) });
        return ok({ changed });
      }
      case 'site.description.remove': {
        const site = canonicalSite(request.origin);
        const removed = await store.removeLocalSite(site);
        if (removed) notify({ posts: new Set(), threads: new Set(), people: new Set(), mine: false, sites: new Set([site]) });
        return ok({ removed });
      }
      case 'site.description.publish': {
        const site = canonicalSite(request.origin);
        const team = await store.getMeta<{ role?: string } | null>('team');
        if (!team) return err('no-team', 'join a team first: a description is shared through the team server');
        if (team.role !== 'manager') return err('not-manager', 'only a manager can share how to read a site with the team');
        let description = null;
        if (request.description !== null) {
          const parsed = parseSiteDescription(request.description);
          if (!parsed.ok) return err('invalid-description', parsed.reason, parsed.reason);
          description = parsed.value;
        }
        const r = await store.act({ type: 'site', origin: site, description }, now());
        notify(r.changes);
        return ok({ pending: r.pending });
      }

      // ---- the description editor, through the forum's tab
      case 'editor.tabs': {
        if (!deps.editor) return err('unavailable', 'Tend cannot reach tabs here');
        return ok({ tabs: await deps.editor.tabsOn(request.origin) });
      }
      case 'editor.inspect': {
        if (!deps.editor) return err('unavailable', 'Tend cannot reach tabs here');
        const report = (await deps.editor.send(request.tabId, { command: 'inspect', description: request.description, outline: request.outline })) as EditorReport | null;
        if (!report || typeof report !== 'object' || !('counts' in report)) return err('no-tab', 'Tend is not running in that tab: reload it, or enable Tend on the site first');
        return ok(report);
      }
      case 'editor.pick': {
        if (!deps.editor) return err('unavailable', 'Tend cannot reach tabs here');
        if (caller.kind === 'page' && caller.tabId !== undefined) pickedFor.set(request.tabId, caller.tabId);
        await deps.editor.activate(request.tabId);
        const started = await deps.editor.send(request.tabId, { command: 'pick', field: request.field, ...(request.item ? { item: request.item } : {}) });
        if (!started) return err('no-tab', 'Tend is not running in that tab: reload it, or enable Tend on the site first');
        return ok({ ok: true });
      }
      case 'editor.stop': {
        if (!deps.editor) return err('unavailable', 'Tend cannot reach tabs here');
        await deps.editor.send(request.tabId, { command: 'stop' });
        return ok({ ok: true });
      }
      // ---- data
      case 'data.import': {
        const { ops, people, settings, paused, localSites } = request.chunk;
        const r = await store.importOps(ops, { ...(people ? { people } : {}), ...(settings !== undefined ? { settings } : {}), ...(paused !== undefined ? { paused } : {}) });
        let sitesAdded = 0;
        for (const [origin, entry] of Object.entries(localSites ?? {})) {
          const parsed = parseSiteDescription((entry as { description?: unknown } | null)?.description);
          let site: string;
          try {
            site = canonicalSite(origin);
          } catch {
            continue;
          }
          if (parsed.ok && (await store.saveLocalSite(site, parsed.value, now()))) sitesAdded++;
        }
        notify({ ...r.changes, mine: true, ...(sitesAdded ? { sites: new Set(Object.keys(localSites ?? {})) } : {}) });
        return ok({ added: r.added, skipped: ops.length - r.added });
      }
      case 'data.wipe': {
        if (deps.sync && (await store.teamMode())) await deps.sync.leave().catch(() => undefined);
        await deps.wipeBrowser?.();
        await store.wipe();
        limiter.reset();
        notify({ posts: new Set(), threads: new Set(['*']), people: new Set(['*']), mine: true });
        return ok({ ok: true });
      }

      case 'editor.picked':
      case 'editor.pickCancelled': {
        if (caller.kind !== 'content' || caller.tabId === undefined) return err('forbidden', 'only a page reports a pick');
        const result = request.type === 'editor.picked' ? request.result : null;
        deps.pushToPages?.({ type: 'picked', tabId: caller.tabId, field: result?.field ?? (request as { field: string }).field, result });
        const back = pickedFor.get(caller.tabId);
        pickedFor.delete(caller.tabId);
        if (back !== undefined) await deps.editor?.activate(back).catch(() => undefined);
        return ok({ ok: true });
      }
    }
  }

  /** A site's status, with what reads it. */
  async function withReader<S extends { site: string | null; builtIn: boolean; reader?: string }>(status: S): Promise<S> {
    if (!status.site) return status;
    if (status.builtIn) return { ...status, reader: 'built-in' };
    const [described, seenAs] = await Promise.all([store.descriptionFor(status.site), store.getMeta<Record<string, string>>(SEEN_AS_KEY)]);
    const reader = described ? 'description' : seenAs?.[status.site] === 'discourse' ? 'discourse' : 'unknown';
    return { ...status, reader };
  }

  /** Every site Tend runs on or may run on, with what reads it. */
  async function listSites(): Promise<{ sites: SiteEntry[]; team: boolean; manager: boolean }> {
    const [base, local, shared, seenAs, team, people] = await Promise.all([
      deps.siteList ? deps.siteList() : Promise.resolve([]),
      store.localSites(),
      store.teamSites(),
      store.getMeta<Record<string, string>>(SEEN_AS_KEY),
      store.getMeta<{ role?: string } | null>('team'),
      store.people(),
    ]);
    const names = new Map(people.map((p) => [p.id, p.name]));
    // Keyed by scheme and host: permissions and the enabled list know no ports, descriptions may.
    const bySite = new Map<string, SiteEntry>();
    const keyOf = (origin: string) => originKeyOf(origin) ?? origin;
    const entry = (origin: string): SiteEntry => {
      const key = keyOf(origin);
      let e = bySite.get(key);
      if (!e) bySite.set(key, (e = { origin, builtIn: false, enabled: false, granted: false, seenAs: null, local: null, team: null }));
      // The address with its port, where one is known, is the one to show and act on.
      if (origin.length > e.origin.length && keyOf(origin) === keyOf(e.origin)) e.origin = origin;
      return e;
    };
    for (const b of base) {
      const e = entry(b.origin);
      Object.assign(e, { ...b, origin: e.origin });
    }
    for (const [site, l] of Object.entries(local)) entry(site).local = { name: l.description.name, savedAt: l.savedAt };
    for (const [site, t] of Object.entries(shared)) if (t.description) entry(site).team = { name: t.description.name, by: names.get(t.actor) ?? '' };
    for (const [site, platform] of Object.entries(seenAs ?? {})) {
      const e = bySite.get(keyOf(site));
      if (e) e.seenAs = platform;
    }
    const sites = [...bySite.values()].sort((a, b) => Number(b.enabled) - Number(a.enabled) || Number(a.builtIn) - Number(b.builtIn) || a.origin.localeCompare(b.origin));
    return { sites, team: Boolean(team), manager: team?.role === 'manager' };
  }

  /**
   * Records what a page showed: only fields that changed become an `observe` op, never in
   * private windows, never while paused. The viewer's handle is linked to me, so I cannot
   * endorse my own posts from another page later.
   */
  async function observe(request: Extract<AnyRequest, { type: 'page.seen' }>, caller: Caller): Promise<StateSnapshot & { observed: number }> {
    const threads = request.threads.map((t) => ({ site: request.site, threadId: t.threadId }));
    const [paused, records, me] = await Promise.all([store.getMeta('paused'), store.threads(threads.map(threadKey)), store.me()]);
    const payloads: Payload[] = [];
    const incognito = caller.kind === 'content' && caller.incognito;
    if (!incognito && !paused) {
      const byKey = new Map(records.map((r) => [r.key, r]));
      const changed: { ref: { site: string; threadId: string }; delta: NonNullable<ReturnType<typeof observationDelta>> }[] = [];
      for (const { threadId, ...fields } of request.threads) {
        const ref = { site: request.site, threadId };
        const delta = observationDelta(byKey.get(threadKey(ref))?.observation ?? undefined, fields);
        if (delta) changed.push({ ref, delta });
      }
      const tab = caller.kind === 'content' ? `tab ${caller.tabId ?? caller.site}` : 'page';
      const allowed = limiter.allow(tab, changed.map((c) => threadKey(c.ref)), now());
      for (const c of changed) if (allowed.has(threadKey(c.ref))) payloads.push({ type: 'observe', thread: c.ref, fields: c.delta });
      if (request.viewer) {
        const handles = (await store.person(me.id))?.handles ?? [];
        if (!handles.some((h) => h.site === request.site && sameHandle(h.handle, request.viewer))) {
          payloads.push({ type: 'member', handles: [...handles, { site: request.site, handle: request.viewer }].slice(-50) });
        }
      }
    }
    // A few transactions for everything the visit changed, each one letting an action that
    // arrived meanwhile go first.
    for (let i = 0; i < payloads.length; i += SEEN_CHUNK) {
      await seen.noActions();
      notify((await store.actMany(payloads.slice(i, i + SEEN_CHUNK), now())).changes);
    }
    // Which software a site runs is a trace of having been there: never from a private window.
    if (request.platform && !incognito) {
      const seenAs = (await store.getMeta<Record<string, string>>(SEEN_AS_KEY)) ?? {};
      if (seenAs[request.site] !== request.platform) await store.setMeta(SEEN_AS_KEY, { ...seenAs, [request.site]: request.platform });
    }
    const observed = payloads.filter((p) => p.type === 'observe').length;
    return { ...(await stateOf([], threads)), observed };
  }
}

