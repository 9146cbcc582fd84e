/**
 * The sync client, run by the background worker. It pushes the store's outbox to the team
 * server, pulls what others did since its cursor, and follows a live socket while a Tend
 * tab or page is open. Everything it depends on (fetch, WebSocket, timers, the store) is
 * injected, so it runs the same in Node tests.
 *
 * Nothing is lost or applied twice when the worker stops at any point: an op leaves the
 * outbox only in the transaction that applies its ack (a repeated push gets the original
 * ack), and the pull cursor moves in the transaction that applies the page it ends.
 * Solo mode (no team) makes no request at all.
 */
import { handleKey, OP_VERSION, parseOp, serverRefusal, type AcceptedOp, type ErrorCode, type Op } from '../domain';
import type { Changes, PersonRecord, TendStore } from '../store';

/** Sync protocol version, sent as the `Tend-Protocol` header. */
export const SYNC_PROTOCOL = 1;
/** Ops per push. */
export const PUSH_BATCH = 100;
/** Heartbeat on the live socket: under 30 s, so Chrome keeps the worker alive. */
export const HEARTBEAT_MS = 20_000;
/** Close code the server uses for a removed member. */
const CLOSE_REVOKED = 4401;

/** Where this device syncs, stored in meta 'team'. */
export interface TeamLink {
  server: string;
  teamId: string;
  teamName: string;
  memberId: string;
  role: 'member' | 'manager';
  token: string;
}

export type SyncState = 'solo' | 'synced' | 'offline' | 'error';

/** What the popup shows, stored in meta 'syncStatus'. */
export interface SyncStatus {
  state: SyncState;
  lastSyncAt: number | null;
  /** What went wrong, in English (logs), with its code and detail for pages to put in words. */
  error?: string;
  code?: ErrorCode;
  detail?: string;
  /** Team name, server and my role there, when in a team. */
  team?: string;
  server?: string;
  role?: 'member' | 'manager';
}

/** The parts of a WebSocket the client uses (the browser's, or `ws` in Node). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = new (url: string) => SocketLike;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface SyncDeps {
  store: TendStore;
  fetch?: typeof fetch;
  WebSocket?: SocketFactory;
  timers?: Timers;
  now?: () => number;
  random?: () => number;
  /** Tell subscribers what applied remote ops changed. */
  notify?: (changes: Changes) => void;
  /** Called whenever the status changes. */
  onStatus?: (status: SyncStatus) => void;
  heartbeatMs?: number;
  /** Retry delays: first, and the most. */
  backoff?: { baseMs: number; maxMs: number };
  batchSize?: number;
  pullLimit?: number;
  /** A request that takes longer is abandoned (and retried later). */
  requestTimeoutMs?: number;
}

type ErrorKind = 'network' | 'auth' | 'version' | 'rate' | 'server' | 'refused';

/** The code each kind of failure has, unless it says more. */
const SYNC_CODES: Record<ErrorKind, ErrorCode> = {
  network: 'sync-network',
  auth: 'sync-auth',
  version: 'sync-version',
  rate: 'sync-rate',
  server: 'sync-server',
  refused: 'sync-refused',
};

/**
 * The team server's refusal codes Tend words itself. Any other refusal is shown in the server's
 * own words (`sync-refused`), which a server of another version may change.
 */
const SERVER_ANSWERS: Readonly<Record<string, ErrorCode>> = {
  'invalid-code': 'invite-invalid',
  revoked: 'sync-removed',
  'too-many-devices': 'too-many-devices',
  forbidden: 'not-manager',
};

/** A failed request, classified for retry. */
export class SyncError extends Error {
  /** The reason's code, for pages to put in words. */
  readonly code: ErrorCode;
  /**
   * What the message names: a cause, or the team server's own words. The server's refusals
   * ("the invite code has expired") are not Tend's to translate: they are shown as it sent them.
   */
  readonly detail: string;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    coded?: { code: ErrorCode; detail?: string },
  ) {
    super(message);
    this.name = 'SyncError';
    this.code = coded?.code ?? SYNC_CODES[kind];
    this.detail = coded?.detail ?? message;
  }
  /** A refusal Tend words itself (a bad address, no team): nothing the server said is in it. */
  static ours(code: ErrorCode, message: string): SyncError {
    return new SyncError('refused', message, undefined, undefined, { code, detail: '' });
  }
  /** Worth retrying later by itself. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'rate' || this.kind === 'server';
  }
}

/** Loopback hosts, where plain HTTP is allowed. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The canonical server address: origin plus any path prefix, no trailing slash; HTTPS except on loopback. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw SyncError.ours('server-url', 'the server address is not a URL (like https://tend.example.org)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw SyncError.ours('server-url', 'the server address must start with https://');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw SyncError.ours('server-https', 'a team server must use https:// (plain http only on this computer)');
  if (url.username || url.password) throw SyncError.ours('server-credentials', 'the server address must not carry a user name or password');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Validates an op that came over the network, keeping its sequence and time. */
function acceptedFrom(input: unknown): AcceptedOp | null {
  if (!input || typeof input !== 'object') return null;
  const { seq, at } = input as { seq?: unknown; at?: unknown };
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || typeof at !== 'number') return null;
  const parsed = parseOp(input);
  return parsed.ok ? ({ ...parsed.value, seq, at } as AcceptedOp) : null;
}

const hasChanges = (c: Changes) => c.posts.size > 0 || c.threads.size > 0 || c.people.size > 0 || c.mine;

export class SyncClient {
  private readonly store: TendStore;
  private readonly fetchFn: typeof fetch;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly batchSize: number;
  private readonly pullLimit: number;

  private link: TeamLink | null | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private pushing: Promise<void> | null = null;
  private pushAgain = false;
  private pushFailures = 0;
  private retryTimer: unknown = null;
  private soonTimer: unknown = null;

  private wantLive = false;
  private socket: SocketLike | null = null;
  private heartbeat: unknown = null;
  private reconnectTimer: unknown = null;
  private liveFailures = 0;
  private lastStatus: SyncStatus | null = null;

  constructor(private readonly deps: SyncDeps) {
    this.store = deps.store;
    this.fetchFn = deps.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    this.timers = deps.timers ?? defaultTimers;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.backoff = deps.backoff ?? { baseMs: 1_000, maxMs: 5 * 60_000 };
    this.batchSize = Math.min(deps.batchSize ?? PUSH_BATCH, 500);
    this.pullLimit = deps.pullLimit ?? 500;
  }

  // ---------------------------------------------------------------------------- team

  /** The team this device syncs with, or null in solo mode. */
  async team(): Promise<TeamLink | null> {
    if (this.link === undefined) this.link = (await this.store.getMeta<TeamLink | null>('team')) ?? null;
    return this.link;
  }

  /**
   * Joins a team with an invite code: the server makes me a member (or adds this device),
   * then this device starts over as that member (keeping its clock node) and pulls the
   * team's log. My own current endorsements from solo mode are queued for the team.
   */
  async join(serverUrl: string, code: string, name: string): Promise<{ member: { id: string; name: string; role: 'member' | 'manager' }; team: { id: string; name: string; leaseMs: number } }> {
    const server = normalizeServerUrl(serverUrl);
    if (await this.team()) throw SyncError.ours('already-in-team', 'this device is already in a team: leave it first');
    const joined = (await this.request(server, null, 'POST', '/v1/join', { code, name })) as {
      token: string;
      member: { id: string; name: string; role: 'member' | 'manager' };
      team: { id: string; name: string; leaseMs: number };
    };
    const me = await this.store.me();
    const carry = (await this.store.recognitionGiven(me.id, 5_000)).map(
      (e) =>
        ({
          v: OP_VERSION,
          id: e.opId,
          hlc: e.hlc,
          actor: joined.member.id,
          type: 'endorse',
          post: e.post,
          author: e.author,
          viewer: null,
          ...(e.note ? { note: e.note } : {}),
        }) as Op,
    );
    await this.store.resetSynced(carry, this.now());
    await this.store.setMe({ id: joined.member.id, name: joined.member.name, node: me.node });
    await this.store.setMeta('settings', { leaseMs: joined.team.leaseMs });
    const link: TeamLink = { server, teamId: joined.team.id, teamName: joined.team.name, memberId: joined.member.id, role: joined.member.role, token: joined.token };
    await this.store.setMeta('team', link);
    this.link = link;
    this.pushFailures = 0;
    await this.setStatus({ state: 'synced', lastSyncAt: null });
    try {
      await this.refreshTeam();
      await this.syncNow();
    } catch {
      // The status says what went wrong; the next alarm tries again.
    }
    if (this.wantLive) void this.openLive();
    return { member: joined.member, team: joined.team };
  }

  /**
   * Leaves the team on this device: sends what is pending (best effort), forgets this
   * device's token on the server, and drops the team's data here. Back to solo mode.
   */
  async leave(): Promise<void> {
    const link = await this.team();
    if (!link) return;
    this.stopLive();
    this.cancelTimers();
    try {
      await this.pushOnce();
    } catch {
      // leaving anyway
    }
    try {
      await this.request(link.server, link.token, 'DELETE', '/v1/devices/current');
    } catch {
      // the server may be gone; the token is forgotten here regardless
    }
    await this.exclusive(async () => {
      await this.store.setMeta('team', null);
      this.link = null;
      await this.store.resetSynced([], this.now());
      await this.store.setMeta('settings', null);
      await this.store.setMeta('syncStatus', null);
    });
    this.lastStatus = null;
    this.deps.notify?.({ posts: new Set(), threads: new Set(), people: new Set(['*']), mine: true });
    this.deps.onStatus?.(await this.status());
  }

  /** Fetches the roster and team settings. */
  async refreshTeam(): Promise<void> {
    const link = await this.team();
    if (!link) return;
    const r = (await this.request(link.server, link.token, 'GET', '/v1/team')) as {
      team: { id: string; name: string; leaseMs: number };
      members: { id: string; name: string; role: 'member' | 'manager'; handles: { site: string; handle: string }[] }[];
      me: { id: string; name: string; role: 'member' | 'manager' };
    };
    const people: PersonRecord[] = r.members.map((m) => ({
      id: m.id,
      name: m.name,
      role: m.role,
      handles: m.handles,
      handleKeys: m.handles.map((h) => handleKey(h.site, h.handle)),
    }));
    const known = new Map((await this.store.people()).map((p) => [p.id, JSON.stringify(p)]));
    const changed = people.filter((p) => known.get(p.id) !== JSON.stringify(p));
    if (changed.length) await this.store.setPeople(changed);
    const settings = await this.store.settings();
    if (settings.leaseMs !== r.team.leaseMs) await this.store.setMeta('settings', { leaseMs: r.team.leaseMs });
    if (r.team.name !== link.teamName || r.me.role !== link.role) {
      const next = { ...link, teamName: r.team.name, role: r.me.role };
      await this.store.setMeta('team', next);
      this.link = next;
    }
    if (changed.length) this.deps.notify?.({ posts: new Set(), threads: new Set(), people: new Set(changed.map((p) => p.id)), mine: false });
  }

  /** A manager changes the team's lease length on the server; every member gets it with the team settings. */
  async setLeaseMs(leaseMs: number): Promise<number> {
    const link = await this.team();
    if (!link) throw SyncError.ours('no-team', 'join a team first');
    const r = (await this.request(link.server, link.token, 'PATCH', '/v1/team', { leaseMs })) as { team: { leaseMs: number } };
    await this.store.setMeta('settings', { leaseMs: r.team.leaseMs });
    return r.team.leaseMs;
  }

  // ---------------------------------------------------------------------------- status

  /** Where sync stands: solo, synced, offline (retrying) or error (needs the user). */
  async status(): Promise<SyncStatus> {
    const link = await this.team();
    if (!link) return { state: 'solo', lastSyncAt: null };
    const stored = (await this.store.getMeta<SyncStatus | null>('syncStatus')) ?? { state: 'offline', lastSyncAt: null };
    return { ...stored, team: link.teamName, server: link.server, role: link.role };
  }

  private async setStatus(next: SyncStatus): Promise<void> {
    const prev = this.lastStatus ?? (await this.store.getMeta<SyncStatus | null>('syncStatus')) ?? null;
    const status: SyncStatus = { ...next, lastSyncAt: next.lastSyncAt ?? prev?.lastSyncAt ?? null };
    if (!next.error) {
      delete status.error;
      delete status.code;
      delete status.detail;
    }
    this.lastStatus = status;
    if (prev && prev.state === status.state && prev.error === status.error && prev.lastSyncAt === status.lastSyncAt) return;
    if (!(await this.team())) return;
    await this.store.setMeta('syncStatus', status);
    this.deps.onStatus?.({ ...status });
  }

  private async synced(): Promise<void> {
    await this.setStatus({ state: 'synced', lastSyncAt: this.now() });
    // The server answers again: whatever was waiting out a long backoff goes now, instead of
    // minutes later (after a long outage the delays have grown to their maximum).
    if (this.wantLive && !this.socket && this.reconnectTimer) {
      this.timers.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.liveFailures = 0;
      void this.openLive();
    }
    if (this.retryTimer) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.pushFailures = 0;
      this.pushOnce().catch(() => undefined);
    }
  }

  private async failed(e: unknown): Promise<never> {
    const err = e instanceof SyncError ? e : new SyncError('network', e instanceof Error ? e.message : String(e));
    if (await this.team()) await this.setStatus({ state: err.retryable ? 'offline' : 'error', lastSyncAt: null, error: err.message, code: err.code, detail: err.detail });
    throw err;
  }

  // ---------------------------------------------------------------------------- requests

  private async request(server: string, token: string | null, method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'Tend-Protocol': String(SYNC_PROTOCOL) };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const timeoutMs = this.deps.requestTimeoutMs ?? 20_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const within = timeoutMs < 1_000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1_000)} s`;
    const timedOut = () => new SyncError('network', `the team server did not answer within ${within}`, undefined, undefined, { code: 'sync-timeout', detail: within });
    let res: Response;
    try {
      res = await this.fetchFn(server + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (signal.aborted) throw timedOut();
      const why = e instanceof Error ? e.message : String(e);
      throw new SyncError('network', `cannot reach the team server (${why})`, undefined, undefined, { code: 'sync-network', detail: why });
    }
    let data: unknown = null;
    try {
      data = await res.json();
    } catch {
      if (signal.aborted) throw timedOut();
      if (res.ok) throw new SyncError('server', `the team server answered ${method} ${path} with something that is not JSON`, res.status);
    }
    if (res.ok) return data;
    const reason = (data as { error?: unknown } | null)?.error;
    const message = typeof reason === 'string' ? reason : `the team server answered ${res.status}`;
    if (res.status === 401) throw new SyncError('auth', 'this device is no longer signed in to the team (removed, or the team was reset): join again', 401, undefined, { code: 'sync-auth', detail: '' });
    if (res.status === 426) throw new SyncError('version', message.startsWith('update Tend') ? message : `update Tend: ${message}`, 426, undefined, { code: 'sync-version', detail: message });
    if (res.status === 429) {
      const after = Number((data as { retryAfterMs?: unknown } | null)?.retryAfterMs ?? Number(res.headers.get('retry-after') ?? 1) * 1000);
      throw new SyncError('rate', message, 429, Number.isFinite(after) ? after : 1_000);
    }
    if (res.status >= 500) throw new SyncError('server', message, res.status);
    const code = (data as { code?: unknown } | null)?.code;
    const ours = typeof code === 'string' && Object.hasOwn(SERVER_ANSWERS, code) ? SERVER_ANSWERS[code] : undefined;
    throw new SyncError('refused', message, res.status, undefined, ours ? { code: ours, detail: '' } : undefined);
  }

  /** Runs store-applying work one at a time, so the cursor only moves forward. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private emit(changes: Changes): void {
    if (hasChanges(changes)) this.deps.notify?.(changes);
  }

  // ---------------------------------------------------------------------------- push

  /** Pushes after a local write: soon, coalesced, and not while backing off after a failure. */
  pushSoon(): void {
    if (this.link === null || this.retryTimer || this.soonTimer) return;
    this.soonTimer = this.timers.setTimeout(() => {
      this.soonTimer = null;
      this.pushOnce().catch(() => undefined);
    }, 0);
  }

  /**
   * Sends the outbox, oldest first, in batches; applies acks (as accepted ops with the
   * server's seq and time) and rejections. On a retryable failure, tries again later with
   * exponential backoff. One push runs at a time; a call during one makes it go round again.
   */
  pushOnce(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true;
      return this.pushing;
    }
    this.pushing = (async () => {
      try {
        do {
          this.pushAgain = false;
          await this.pushRounds();
        } while (this.pushAgain);
      } finally {
        this.pushing = null;
      }
    })();
    return this.pushing;
  }

  private async pushRounds(): Promise<void> {
    const link = await this.team();
    if (!link) return;
    let sent = false;
    try {
      for (let round = 0; round < 1_000; round++) {
        const batch = await this.store.outbox(this.batchSize);
        if (!batch.length) break;
        sent = true;
        const { results } = (await this.request(link.server, link.token, 'POST', '/v1/ops', { ops: batch.map((r) => r.op) })) as {
          results: ({ id: string; ok: true; seq: number; at: number } | { id: string; ok: false; code: string; reason: string; holder?: string })[];
        };
        await this.exclusive(() => this.applyAcks(link, batch.map((r) => r.op), results));
        if (batch.length < this.batchSize) break;
      }
      this.pushFailures = 0;
      if (this.retryTimer) {
        this.timers.clearTimeout(this.retryTimer);
        this.retryTimer = null;
      }
      // Nothing to send says nothing about the server: only a push that got through counts.
      if (sent) await this.synced();
    } catch (e) {
      if (e instanceof SyncError && e.retryable) this.scheduleRetry(e.retryAfterMs);
      await this.failed(e);
    }
  }

  private scheduleRetry(atLeastMs = 0): void {
    this.pushFailures += 1;
    const exp = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(this.pushFailures - 1, 20));
    const delay = Math.max(atLeastMs, exp * (0.5 + this.random() / 2));
    if (this.retryTimer) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.pushOnce().catch(() => undefined);
    }, delay);
  }

  /**
   * Applies the server's answers to a batch. Acks that continue my cursor are applied with
   * it; otherwise others' ops came in between: order-insensitive ops (endorsements,
   * observations) are applied now and the rest arrive in order with a pull.
   */
  private async applyAcks(link: TeamLink, sent: readonly Op[], results: readonly { id: string; ok: boolean; seq?: number; at?: number; code?: string; reason?: string; holder?: string }[]): Promise<void> {
    const byId = new Map(sent.map((op) => [op.id, op]));
    const accepted: AcceptedOp[] = [];
    for (const r of results) {
      const op = byId.get(r.id);
      if (!op) continue;
      if (r.ok && typeof r.seq === 'number' && typeof r.at === 'number') accepted.push({ ...op, actor: link.memberId, seq: r.seq, at: r.at } as AcceptedOp);
      else if (!r.ok) {
        const refusal = serverRefusal(r.code, r.reason ?? r.code ?? 'refused by the team server', r.holder);
        this.emit(await this.store.reject(r.id, refusal.error, this.now(), refusal));
      }
    }
    if (!accepted.length) return;
    accepted.sort((a, b) => a.seq - b.seq);
    const cursor = (await this.store.getMeta<number | null>('cursor')) ?? 0;
    const fresh = accepted.filter((o) => o.seq > cursor);
    const contiguous = fresh.every((o, i) => o.seq === cursor + 1 + i);
    if (contiguous) {
      this.emit(await this.store.applyAccepted(accepted, fresh.length ? { cursor: fresh.at(-1)!.seq } : {}));
      return;
    }
    const now = accepted.filter((o) => o.seq <= cursor || o.type === 'endorse' || o.type === 'retract' || o.type === 'observe');
    if (now.length) this.emit(await this.store.applyAccepted(now));
    await this.pullLocked(link);
  }

  // ---------------------------------------------------------------------------- pull

  /** Pulls everything after the cursor, a page per transaction. */
  async pullOnce(): Promise<void> {
    const link = await this.team();
    if (!link) return;
    try {
      await this.exclusive(() => this.pullLocked(link));
      await this.synced();
    } catch (e) {
      await this.failed(e);
    }
  }

  private async pullLocked(link: TeamLink): Promise<void> {
    let cursor = (await this.store.getMeta<number | null>('cursor')) ?? 0;
    let unknownActor = false;
    for (let page = 0; page < 100_000; page++) {
      const r = (await this.request(link.server, link.token, 'GET', `/v1/ops?after=${cursor}&limit=${this.pullLimit}`)) as { ops: unknown[]; next: number; more: boolean };
      const ops = this.validated(r.ops);
      if (!unknownActor && ops.some((o) => o.type === 'member')) unknownActor = true;
      const next = typeof r.next === 'number' && r.next > cursor ? r.next : cursor;
      if (ops.length || next !== cursor) this.emit(await this.store.applyAccepted(ops, { cursor: next }));
      cursor = next;
      if (!r.more) break;
    }
    // Someone new, or a name changed: refresh the roster (roles and handles come with it).
    if (unknownActor) await this.refreshTeam().catch(() => undefined);
  }

  private validated(raw: unknown): AcceptedOp[] {
    if (!Array.isArray(raw)) throw new SyncError('server', 'the team server sent a malformed page of ops');
    const out: AcceptedOp[] = [];
    for (const input of raw) {
      const op = acceptedFrom(input);
      // An op this Tend cannot read (a newer format) is left out rather than misapplied.
      if (op) out.push(op);
    }
    return out;
  }

  /** Push then pull (the alarm, a worker start, a join). */
  async syncNow(): Promise<void> {
    if (!(await this.team())) return;
    await this.pushOnce();
    await this.pullOnce();
  }

  // ---------------------------------------------------------------------------- live

  /** Keeps a live socket open (while a Tend tab or page is open), reconnecting with backoff. */
  connectLive(): void {
    this.wantLive = true;
    if (this.socket || this.reconnectTimer) return;
    void this.openLive();
  }

  /** Closes the live socket (no Tend tab or page open any more). */
  disconnectLive(): void {
    this.stopLive();
  }

  /** Whether a live socket is open. */
  get live(): boolean {
    return !!this.socket && this.socket.readyState === 1;
  }

  private stopLive(): void {
    this.wantLive = false;
    if (this.reconnectTimer) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.heartbeat) this.timers.clearInterval(this.heartbeat);
    this.heartbeat = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // Closing a socket that is still connecting reports an error: nobody needs it.
      s.onerror = () => undefined;
      try {
        s.close(1000, 'not needed');
      } catch {
        // already closed
      }
    }
  }

  private scheduleReconnect(): void {
    if (!this.wantLive || this.reconnectTimer) return;
    this.liveFailures += 1;
    const exp = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(this.liveFailures - 1, 20));
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      void this.openLive();
    }, exp * (0.5 + this.random() / 2));
  }

  private async openLive(): Promise<void> {
    const link = await this.team();
    const Socket = this.deps.WebSocket ?? (globalThis as { WebSocket?: SocketFactory }).WebSocket;
    if (!link || !this.wantLive || this.socket || !Socket) return;
    let ticket: string;
    let cursor: number;
    try {
      ({ ticket } = (await this.request(link.server, link.token, 'POST', '/v1/live-ticket')) as { ticket: string });
      cursor = (await this.store.getMeta<number | null>('cursor')) ?? 0;
    } catch (e) {
      if (e instanceof SyncError && !e.retryable) await this.failed(e).catch(() => undefined);
      else this.scheduleReconnect();
      return;
    }
    if (!this.wantLive || this.socket) return;
    const url = `${link.server.replace(/^http/, 'ws')}/v1/live?ticket=${encodeURIComponent(ticket)}&after=${cursor}&protocol=${SYNC_PROTOCOL}`;
    let socket: SocketLike;
    try {
      socket = new Socket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.liveFailures = 0;
      if (this.heartbeat) this.timers.clearInterval(this.heartbeat);
      this.heartbeat = this.timers.setInterval(() => {
        if (socket.readyState === 1) socket.send('{"type":"ping"}');
      }, this.deps.heartbeatMs ?? HEARTBEAT_MS);
      // Whatever waited for the connection goes now.
      this.pushOnce().catch(() => undefined);
    };
    socket.onmessage = (ev) => {
      let message: { type?: unknown; after?: unknown; next?: unknown; ops?: unknown };
      try {
        message = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (message.type !== 'ops') return;
      void this.exclusive(() => this.applyLive(link, message as { after: number; next: number; ops: unknown[] }))
        .then(() => this.synced())
        .catch((e) => this.failed(e).catch(() => undefined));
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.heartbeat) this.timers.clearInterval(this.heartbeat);
      this.heartbeat = null;
      if (ev.code === CLOSE_REVOKED) {
        this.wantLive = false;
        void this.setStatus({ state: 'error', lastSyncAt: null, error: 'this member was removed from the team', code: 'sync-removed' });
        return;
      }
      this.scheduleReconnect();
    };
  }

  /** Applies a live message; a gap before it (missed messages) is filled with a pull first. */
  private async applyLive(link: TeamLink, message: { after: number; next: number; ops: unknown[] }): Promise<void> {
    const cursor = (await this.store.getMeta<number | null>('cursor')) ?? 0;
    if (typeof message.after !== 'number' || message.after > cursor) return this.pullLocked(link);
    const ops = this.validated(message.ops).filter((o) => o.seq > cursor);
    const next = typeof message.next === 'number' ? Math.max(cursor, message.next) : cursor;
    if (ops.length || next !== cursor) this.emit(await this.store.applyAccepted(ops, { cursor: next }));
    if (ops.some((o) => o.type === 'member')) await this.refreshTeam().catch(() => undefined);
  }

  // ---------------------------------------------------------------------------- lifecycle

  private cancelTimers(): void {
    for (const t of [this.retryTimer, this.soonTimer]) if (t) this.timers.clearTimeout(t);
    this.retryTimer = this.soonTimer = null;
  }

  /** Stops everything (tests; a worker simply stops). */
  close(): void {
    this.stopLive();
    this.cancelTimers();
  }
}
