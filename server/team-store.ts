/**
 * The server's rules over the database: teams, members, invites, tokens and live tickets;
 * accepting ops (stamped with the member's id, validated, judged with lib/domain's own
 * folds, sequenced per team and stored with their effect in one transaction); pulls,
 * revocation, erasure and compaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import * as v from 'valibot';
import {
  applyClaim,
  applyEndorsement,
  applyObservation,
  compareOps,
  createIdGenerator,
  DEFAULT_LEASE_MS,
  decodeHlc,
  describeIssues,
  describeRejection,
  endorsementKey,
  endorseProblem,
  handleKey,
  HandleSchema,
  isSafeName,
  MAX_DRIFT_MS,
  OP_VERSION,
  parseOp,
  SiteSchema,
  threadKey,
  tickHlc,
  type AcceptedOp,
  type Claim,
  type ClaimRules,
  type Endorsement,
  type Observation,
  type Op,
} from '../lib/domain';
import { commitTransaction, transaction, type DB, type Db, type Role } from './db';
import { ApiError } from './errors';

/** Most ops in one push. */
export const MAX_OPS_PER_PUSH = 500;
/** Most ops in one pull page. */
export const MAX_PULL_LIMIT = 1000;
/** How long an invite code is good for. */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;
/** How long a device invite code is good for. */
export const DEVICE_INVITE_TTL_MS = 15 * 60_000;
/** The team a server makes on first use when no team is named (`--team NAME` names another). */
export const DEFAULT_TEAM_NAME = 'Community team';
/** How long a live ticket is good for. */
export const TICKET_TTL_MS = 30_000;
/** How long a refusal is remembered for repeated pushes (compaction forgets older ones). */
export const REJECTION_TTL_MS = 30 * 24 * 3_600_000;
/** Refusals kept per member (a repeated push gets the same answer); older ones are forgotten first. */
export const MAX_REJECTIONS_PER_MEMBER = 1_000;
/** Most devices (tokens) a member has at once, unless the server says otherwise. */
export const DEFAULT_MAX_DEVICES = 10;
/**
 * The actor every member but the observer sees on an observe op: teammates need a thread's
 * state, not who browsed it when. The real actor stays in the `ops.actor` column, which is
 * never sent, so a repeated push is still recognised as its sender's.
 */
export const HIDDEN_OBSERVER = 'observer';
/** Where a refusal's reason names a member; filled in with their current name when read. */
const HOLDER = '{holder}';
/** Name shown for a member whose data was erased. */
export const ERASED_NAME = 'Former member';
/** The node name in clocks of ops the server writes itself. */
const SERVER_NODE = 'tend-server';
/** Channel for PostgreSQL LISTEN/NOTIFY between instances. */
export const NOTIFY_CHANNEL = 'tend_events';

export interface Team {
  id: string;
  name: string;
  leaseMs: number;
}

export interface Member {
  id: string;
  teamId: string;
  name: string;
  role: Role;
  revokedAt: number | null;
}

/** Who made an authenticated request. */
export interface Auth {
  member: Member;
  tokenHash: string;
}

export type Ack =
  | { id: string; ok: true; seq: number; at: number }
  | { id: string; ok: false; code: string; reason: string; holder?: string; holderId?: string };

/** An accepted op as stored: its sequence and its JSON. */
export interface OpRow {
  seq: number;
  body: string;
}

/** What happened, for live fan-out (after commit) and other instances (NOTIFY). */
export type StoreEvent = { type: 'ops'; teamId: string; seq: number; rows?: OpRow[] } | { type: 'revoked'; teamId: string; memberId: string };

export interface RosterEntry {
  id: string;
  name: string;
  role: Role;
  active: boolean;
  handles: { site: string; handle: string }[];
}

type Item = { kind: 'invalid'; id: string; code: string; reason: string } | { kind: 'op'; op: Op };

interface PushQueue {
  waiting: { items: Item[]; now: number; resolve: (acks: Ack[]) => void; reject: (e: unknown) => void }[];
  running: boolean;
}

/** Most ops judged in one group commit. */
const MAX_GROUP_OPS = 5_000;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const ALPHANUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomId = (n = 16): string => Array.from(randomBytes(n), (b) => ALPHANUM[b % 36]).join('');
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A push's hot statements on SQLite (and the per-request token check), prepared once and run row by row: better-sqlite3 runs a
 * prepared statement in a microsecond or two, where building the same multi-row SQL for every
 * group (and preparing each new shape) cost more than SQLite's own work. Lists go in as one
 * JSON parameter (`json_each`), so one statement serves any length. Same transaction, same
 * connection: Kysely's `begin immediate` covers them.
 */
class SqlitePush {
  private readonly statements = new Map<string, SqliteStatement>();
  constructor(private readonly raw: NonNullable<Db['sqlite']>) {}

  private st(source: string): SqliteStatement {
    let s = this.statements.get(source);
    if (!s) this.statements.set(source, (s = this.raw.prepare(source)));
    return s;
  }

  /** Rows of a query (its parameters in order). */
  all<T>(source: string, params: readonly unknown[]): T[] {
    return this.st(source).all(params) as T[];
  }

  /** The first row of a query, if any. */
  get<T>(source: string, params: readonly unknown[]): T | undefined {
    return this.st(source).get(params) as T | undefined;
  }

  /** Runs a statement. */
  run(source: string, params: readonly unknown[]): void {
    this.st(source).run(params);
  }

  /** Rows of `table` whose `column` is in `values`, for one team. */
  byList<T>(table: string, columns: string, column: string, teamId: string, values: readonly string[]): T[] {
    return this.st(`SELECT ${columns} FROM ${table} WHERE team_id = ? AND ${column} IN (SELECT value FROM json_each(?))`).all([teamId, JSON.stringify(values)]) as T[];
  }

  /** Inserts rows (objects with the same keys), replacing `update` columns on a key conflict. */
  upsert(table: string, rows: readonly object[], conflict: string | null, update: readonly string[] = []): void {
    if (!rows.length) return;
    const cols = Object.keys(rows[0]!);
    const tail = conflict === null ? '' : update.length ? ` ON CONFLICT (${conflict}) DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}` : ' ON CONFLICT DO NOTHING';
    const s = this.st(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${tail}`);
    for (const r of rows) s.run(cols.map((c) => (r as Record<string, unknown>)[c]));
  }
}
type SqliteStatement = ReturnType<NonNullable<Db['sqlite']>['prepare']>;

/** A code a person can type: 16 Crockford base32 characters (80 bits) in groups of four. */
function newCode(): string {
  const chars = Array.from(randomBytes(16), (b) => CROCKFORD[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** Codes compare without dashes, spaces or case, with the usual look-alikes folded. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** The answer a stored refusal gives, with the named member's current name filled in. */
function rejectionAck(r: Pick<DB['rejections'], 'id' | 'code' | 'reason' | 'holder'>, nameOf: (id: string) => string): Ack & { ok: false } {
  const reason = r.holder ? r.reason.replace(HOLDER, nameOf(r.holder)) : r.reason;
  return { id: r.id, ok: false, code: r.code, reason, ...(r.holder && r.code !== 'handle-disputed' ? { holder: nameOf(r.holder), holderId: r.holder } : {}) };
}

const chunk = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

export interface TeamStoreOptions {
  now?: () => number;
  /** Most devices per member (default `DEFAULT_MAX_DEVICES`). */
  maxDevices?: number;
  /** Called after each commit that others should hear about. */
  onEvent?: (event: StoreEvent) => void;
}

export class TeamStore {
  private readonly clock: () => number;
  private lastNow = 0;
  private lastHlc: string | null = null;
  private readonly newId = createIdGenerator();
  private listeners: ((e: StoreEvent) => void)[] = [];
  private readonly queues = new Map<string, PushQueue>();
  private readonly maxDevices: number;
  private readonly fast: SqlitePush | null;

  constructor(
    readonly db: Db,
    options: TeamStoreOptions = {},
  ) {
    this.fast = db.sqlite ? new SqlitePush(db.sqlite) : null;
    this.clock = options.now ?? Date.now;
    this.maxDevices = options.maxDevices ?? DEFAULT_MAX_DEVICES;
    if (options.onEvent) this.listeners.push(options.onEvent);
  }

  /** Listens to commits (live fan-out). */
  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  private emit(e: StoreEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.warn('tend: event listener failed', err);
      }
    }
  }

  /** Server time, never going backwards in this process. */
  now(): number {
    this.lastNow = Math.max(this.lastNow, this.clock());
    return this.lastNow;
  }

  private nextHlc(atLeast?: string): string {
    if (atLeast && (!this.lastHlc || atLeast > this.lastHlc)) this.lastHlc = atLeast;
    this.lastHlc = tickHlc(this.lastHlc, SERVER_NODE, this.now());
    return this.lastHlc;
  }

  private async notifyInTx(t: Kysely<DB>, e: StoreEvent): Promise<void> {
    if (this.db.kind !== 'postgres') return;
    const payload = e.type === 'ops' ? JSON.stringify({ t: e.teamId, s: e.seq }) : JSON.stringify({ t: e.teamId, r: e.memberId });
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`.execute(t);
  }

  // ---------------------------------------------------------------------------- teams

  async createTeam(name: string, leaseMs = DEFAULT_LEASE_MS): Promise<Team> {
    name = name.trim();
    if (!name || name.length > 80 || !isSafeName(name)) throw new ApiError(400, 'a team name is 1 to 80 characters without control or text-direction characters', 'invalid');
    const team = { id: randomId(12), name, lease_ms: leaseMs, seq: 0, last_at: 0, created_at: this.now() };
    await this.db.q.insertInto('teams').values(team).execute();
    return { id: team.id, name, leaseMs };
  }

  async teams(): Promise<(Team & { seq: number; members: number })[]> {
    const rows = await this.db.q
      .selectFrom('teams')
      .leftJoin('members', (j) => j.onRef('members.team_id', '=', 'teams.id').on('members.revoked_at', 'is', null))
      .select(['teams.id', 'teams.name', 'teams.lease_ms', 'teams.seq', (eb) => eb.fn.count<number>('members.id').as('members')])
      .groupBy(['teams.id', 'teams.name', 'teams.lease_ms', 'teams.seq'])
      .orderBy('teams.created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, leaseMs: Number(r.lease_ms), seq: Number(r.seq), members: Number(r.members) }));
  }

  async team(teamId: string): Promise<Team | undefined> {
    const r = await this.db.q.selectFrom('teams').select(['id', 'name', 'lease_ms']).where('id', '=', teamId).executeTakeFirst();
    return r && { id: r.id, name: r.name, leaseMs: Number(r.lease_ms) };
  }

  /** The team with this name or id; with none given, the only team (created when there is none). */
  async resolveTeam(nameOrId: string | undefined, create: boolean): Promise<Team> {
    const all = await this.teams();
    if (nameOrId) {
      const found = all.find((t) => t.id === nameOrId) ?? all.find((t) => t.name === nameOrId);
      if (found) return found;
      if (create) return this.createTeam(nameOrId);
      throw new ApiError(404, `no team named ${nameOrId}`, 'not-found');
    }
    if (all.length === 1) return all[0]!;
    if (all.length === 0 && create) return this.createTeam(DEFAULT_TEAM_NAME);
    throw new ApiError(400, all.length ? `there are ${all.length} teams: say which with --team NAME` : 'there is no team yet', 'bad-request');
  }

  async updateTeam(teamId: string, patch: { leaseMs?: number; name?: string }): Promise<Team> {
    const set: Partial<DB['teams']> = {};
    if (patch.leaseMs !== undefined) set.lease_ms = patch.leaseMs;
    if (patch.name !== undefined) set.name = patch.name;
    if (Object.keys(set).length) await this.db.q.updateTable('teams').set(set).where('id', '=', teamId).execute();
    const team = await this.team(teamId);
    if (!team) throw new ApiError(404, 'no such team', 'not-found');
    return team;
  }

  // ---------------------------------------------------------------------------- members

  async member(memberId: string): Promise<Member | undefined> {
    const r = await this.db.q.selectFrom('members').selectAll().where('id', '=', memberId).executeTakeFirst();
    return r && { id: r.id, teamId: r.team_id, name: r.name, role: r.role, revokedAt: r.revoked_at === null ? null : Number(r.revoked_at) };
  }

  /** Everyone in a team (revoked members too, so old endorsements keep a name), with handles. */
  async roster(teamId: string): Promise<RosterEntry[]> {
    const [members, handles] = await Promise.all([
      this.db.q.selectFrom('members').select(['id', 'name', 'role', 'revoked_at']).where('team_id', '=', teamId).orderBy('created_at').execute(),
      this.db.q.selectFrom('handles').select(['member_id', 'site', 'handle']).where('team_id', '=', teamId).execute(),
    ]);
    const byMember = new Map<string, { site: string; handle: string }[]>();
    for (const h of handles) byMember.set(h.member_id, [...(byMember.get(h.member_id) ?? []), { site: h.site, handle: h.handle }]);
    return members.map((m) => ({ id: m.id, name: m.name, role: m.role, active: m.revoked_at === null, handles: byMember.get(m.id) ?? [] }));
  }

  /** Handles two or more members linked: they count for nobody until a manager decides. */
  async disputes(teamId: string): Promise<{ site: string; handle: string; members: string[] }[]> {
    const rows = await this.db.q.selectFrom('handle_disputes').select(['site', 'handle', 'members']).where('team_id', '=', teamId).orderBy('created_at').execute();
    return rows.map((r) => ({ site: r.site, handle: r.handle, members: JSON.parse(r.members) as string[] }));
  }

  /**
   * A manager's decision on whose a handle is (`memberId`, or null for nobody's): the dispute
   * ends, and the change reaches every client as `member` ops in the log, in the name of the
   * member who loses it and of the one who gets it.
   */
  async decideHandle(teamId: string, site: string, handle: string, memberId: string | null): Promise<{ ok: true; seq: number }> {
    const ref = v.safeParse(v.object({ site: SiteSchema, handle: HandleSchema }), { site, handle });
    if (!ref.success) throw new ApiError(400, describeIssues(ref.issues), 'invalid');
    const key = handleKey(ref.output.site, ref.output.handle);
    const { rows } = await transaction(this.db, async (t) => {
      const now = this.now();
      await this.lockTeam(t, teamId);
      if (memberId) {
        const m = await t.selectFrom('members').select(['revoked_at']).where('id', '=', memberId).where('team_id', '=', teamId).executeTakeFirst();
        if (!m || m.revoked_at !== null) throw new ApiError(404, 'no such member in this team', 'not-found');
      }
      await t.deleteFrom('handle_disputes').where('team_id', '=', teamId).where('handle_key', '=', key).execute();
      const all = await t.selectFrom('handles').select(['member_id', 'site', 'handle', 'handle_key']).where('team_id', '=', teamId).execute();
      const owner = all.find((h) => h.handle_key === key)?.member_id;
      const listOf = (id: string) => all.filter((h) => h.member_id === id && h.handle_key !== key).map((h) => ({ site: h.site, handle: h.handle }));
      const items: Item[] = [];
      const make = (actor: string, handles: { site: string; handle: string }[]): Item => ({
        kind: 'op',
        op: { v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(), actor, type: 'member', handles } as Op,
      });
      if (owner && owner !== memberId) items.push(make(owner, listOf(owner)));
      if (memberId && owner !== memberId) items.push(make(memberId, [...listOf(memberId), { site: ref.output.site, handle: ref.output.handle }]));
      return items.length ? this.commitOps(t, teamId, items, now) : { rows: [] as OpRow[] };
    });
    if (rows.length) this.emit({ type: 'ops', teamId, seq: rows.at(-1)!.seq, rows });
    return { ok: true, seq: rows.at(-1)?.seq ?? (await this.teamSeq(teamId)) };
  }

  // ---------------------------------------------------------------------------- invites and tokens

  /** A one-time invite code for a new member (or, with `memberId`, a new device of that member). */
  async createInvite(teamId: string, role: Role, options: { memberId?: string; ttlMs?: number } = {}): Promise<{ code: string; expiresAt: number }> {
    const code = newCode();
    const now = this.now();
    const expiresAt = now + (options.ttlMs ?? INVITE_TTL_MS);
    await this.db.q
      .insertInto('invites')
      .values({ hash: sha256(normalizeCode(code)), team_id: teamId, role, member_id: options.memberId ?? null, created_at: now, expires_at: expiresAt, used_at: null })
      .execute();
    return { code, expiresAt };
  }

  /** Spends an invite code: a new member (or a new device of an existing one) and its token. */
  async join(code: string, name: string): Promise<{ token: string; member: Member; team: Team }> {
    const hash = sha256(normalizeCode(code));
    const token = `tend_${randomBytes(32).toString('base64url')}`;
    const { member, team, rows } = await transaction(this.db, async (t) => {
      const now = this.now();
      const invite = await t
        .updateTable('invites')
        .set({ used_at: now })
        .where('hash', '=', hash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['team_id', 'role', 'member_id'])
        .executeTakeFirst();
      if (!invite) throw new ApiError(403, 'this invite code is not valid (mistyped, already used or expired)', 'invalid-code');
      await this.lockTeam(t, invite.team_id);
      let member: Member;
      let rows: OpRow[] = [];
      if (invite.member_id) {
        const existing = await t.selectFrom('members').selectAll().where('id', '=', invite.member_id).executeTakeFirst();
        if (!existing || existing.revoked_at !== null) throw new ApiError(403, 'this member was removed from the team', 'revoked');
        await this.checkDeviceRoom(existing.id, t);
        member = { id: existing.id, teamId: existing.team_id, name: existing.name, role: existing.role, revokedAt: null };
      } else {
        member = { id: randomId(16), teamId: invite.team_id, name, role: invite.role, revokedAt: null };
        await t.insertInto('members').values({ id: member.id, team_id: member.teamId, name, role: member.role, created_at: now, revoked_at: null, erased_at: null }).execute();
        // Teammates learn the newcomer's name through the log, live.
        const op = { v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(), actor: member.id, type: 'member', name } as Op;
        rows = (await this.commitOps(t, member.teamId, [{ kind: 'op', op }], now)).rows;
      }
      await t.insertInto('tokens').values({ hash: sha256(token), member_id: member.id, team_id: member.teamId, created_at: now }).execute();
      const team = await t.selectFrom('teams').select(['id', 'name', 'lease_ms']).where('id', '=', member.teamId).executeTakeFirstOrThrow();
      return { member, team: { id: team.id, name: team.name, leaseMs: Number(team.lease_ms) }, rows };
    });
    if (rows.length) this.emit({ type: 'ops', teamId: team.id, seq: rows.at(-1)!.seq, rows });
    return { token, member, team };
  }

  /** Refuses (409) when a member already has as many devices as allowed. */
  async checkDeviceRoom(memberId: string, t: Kysely<DB> = this.db.q): Promise<void> {
    const r = await t.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('member_id', '=', memberId).executeTakeFirst();
    if (Number(r?.n ?? 0) >= this.maxDevices) {
      throw new ApiError(409, `this member already has ${this.maxDevices} devices: leave the team on one of them first`, 'too-many-devices');
    }
  }

  /** The member a bearer token belongs to, or undefined (unknown, or the member was revoked). */
  async authenticate(token: string): Promise<Auth | undefined> {
    if (!token || token.length > 200) return undefined;
    const hash = sha256(token);
    // Every request asks: on SQLite, a statement prepared once, unless a transaction is open on
    // the connection (its writes are not everyone's yet: Kysely's query waits for it to end).
    const r = this.fast && !this.db.sqlite!.inTransaction
      ? this.fast.get<Pick<DB['members'], 'id' | 'team_id' | 'name' | 'role' | 'revoked_at'>>(
          'SELECT members.id, members.team_id, members.name, members.role, members.revoked_at FROM tokens INNER JOIN members ON members.id = tokens.member_id WHERE tokens.hash = ?',
          [hash],
        )
      : await this.db.q
          .selectFrom('tokens')
          .innerJoin('members', 'members.id', 'tokens.member_id')
          .select(['members.id', 'members.team_id', 'members.name', 'members.role', 'members.revoked_at'])
          .where('tokens.hash', '=', hash)
          .executeTakeFirst();
    if (!r || r.revoked_at !== null) return undefined;
    return { member: { id: r.id, teamId: r.team_id, name: r.name, role: r.role, revokedAt: null }, tokenHash: hash };
  }

  /** Forgets one device's token (leaving the team from that device). */
  async revokeToken(hash: string): Promise<void> {
    await this.db.q.deleteFrom('tokens').where('hash', '=', hash).execute();
  }

  /** A short-lived, single-use ticket to open the live socket (browsers cannot send headers there). */
  async createTicket(auth: Auth): Promise<{ ticket: string; expiresIn: number }> {
    const ticket = randomBytes(24).toString('base64url');
    const now = this.now();
    await this.db.q.deleteFrom('tickets').where('expires_at', '<', now).execute();
    await this.db.q.insertInto('tickets').values({ hash: sha256(ticket), member_id: auth.member.id, team_id: auth.member.teamId, expires_at: now + TICKET_TTL_MS }).execute();
    return { ticket, expiresIn: TICKET_TTL_MS };
  }

  /** Spends a ticket; undefined when unknown, used, expired or the member was revoked. */
  async useTicket(ticket: string): Promise<Member | undefined> {
    if (!ticket || ticket.length > 100) return undefined;
    const row = await this.db.q.deleteFrom('tickets').where('hash', '=', sha256(ticket)).returning(['member_id', 'expires_at']).executeTakeFirst();
    if (!row || Number(row.expires_at) < this.now()) return undefined;
    const member = await this.member(row.member_id);
    return member && member.revokedAt === null ? member : undefined;
  }

  // ---------------------------------------------------------------------------- ops

  /**
   * Accepts a batch from a member: every op is stamped with the member's id, validated and
   * judged in order; the accepted ones are sequenced and stored with their effect in one
   * transaction. One ack per op, in order; an op id seen before gets its original ack.
   */
  async push(auth: Auth, raw: readonly unknown[]): Promise<Ack[]> {
    const now = this.now();
    const items: Item[] = raw.map((input) => {
      const id = input && typeof input === 'object' && typeof (input as { id?: unknown }).id === 'string' ? String((input as { id: string }).id).slice(0, 64) : '';
      // The actor is whoever holds the token, whatever the op says.
      const stamped = input && typeof input === 'object' ? { ...(input as object), actor: auth.member.id } : input;
      const parsed = parseOp(stamped);
      if (!parsed.ok) return { kind: 'invalid', id, code: /update Tend/.test(parsed.reason) ? 'version' : 'invalid', reason: parsed.reason };
      if (decodeHlc(parsed.value.hlc).ms > now + MAX_DRIFT_MS) {
        return { kind: 'invalid', id, code: 'clock', reason: `this device’s clock is more than ${Math.round(MAX_DRIFT_MS / 60_000)} minutes ahead: set the right time and try again` };
      }
      return { kind: 'op', op: parsed.value };
    });
    if (!items.some((i) => i.kind === 'op')) {
      return items.map((i) => (i.kind === 'invalid' ? { id: i.id, ok: false, code: i.code, reason: i.reason } : (undefined as never)));
    }
    return this.enqueue(auth.member.teamId, items, now);
  }

  /**
   * Group commit: pushes to one team that arrive while its transaction runs (or, on durable
   * SQLite, while its sync runs) wait and then go together in the next one, judged in arrival
   * order, so the team's lock and the commit are paid once per group rather than once per push.
   */
  private enqueue(teamId: string, items: Item[], now: number): Promise<Ack[]> {
    return new Promise<Ack[]>((resolve, reject) => {
      let queue = this.queues.get(teamId);
      if (!queue) this.queues.set(teamId, (queue = { waiting: [], running: false }));
      queue.waiting.push({ items, now, resolve, reject });
      if (!queue.running) void this.drain(teamId, queue);
    });
  }

  private async drain(teamId: string, queue: PushQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.waiting.length) {
        const group: PushQueue['waiting'] = [];
        let size = 0;
        while (queue.waiting.length && (group.length === 0 || size + queue.waiting[0]!.items.length <= MAX_GROUP_OPS)) {
          const next = queue.waiting.shift()!;
          size += next.items.length;
          group.push(next);
        }
        try {
          const committed = await this.commitGroup(teamId, group);
          this.settle(teamId, group, committed);
          // Let the pushes that arrived meanwhile be read (the commit ran without yielding) and,
          // on durable SQLite, this group's sync finish, so they all go in the next group: a
          // commit costs mostly per page written, and a group's pages are written once.
          await Promise.all([committed.durable.catch(() => undefined), new Promise((resolve) => setImmediate(resolve))]);
        } catch (e) {
          if (group.length === 1) {
            group[0]!.reject(e);
            continue;
          }
          // One push that cannot be stored must not fail the others it was grouped with:
          // each goes again in a transaction of its own, and only the failing one fails.
          for (const g of group) {
            try {
              this.settle(teamId, [g], await this.commitGroup(teamId, [g]));
            } catch (err) {
              g.reject(err);
            }
          }
        }
      }
    } finally {
      queue.running = false;
      if (this.queues.get(teamId) === queue && !queue.waiting.length) this.queues.delete(teamId);
    }
  }

  /** Commits a group; it is durable (and may be told) once `durable` resolves. */
  private async commitGroup(teamId: string, group: PushQueue['waiting']): Promise<{ acks: Ack[]; rows: OpRow[]; durable: Promise<void> }> {
    const all = group.flatMap((g) => g.items);
    const now = Math.max(...group.map((g) => g.now));
    const { result, durable } = await commitTransaction(this.db, (t) => this.commitOps(t, teamId, all, now));
    return { ...result, durable };
  }

  /**
   * Answers a committed group's pushes and announces its ops once the commit is on disk; if
   * it cannot be made durable, every push of the group is refused. Groups are answered in
   * commit order (each waits for a sync begun after its commit, and syncs run one after another).
   */
  private settle(teamId: string, group: PushQueue['waiting'], { acks, rows, durable }: { acks: Ack[]; rows: OpRow[]; durable: Promise<void> }): void {
    durable.then(
      () => {
        if (rows.length) this.emit({ type: 'ops', teamId, seq: rows.at(-1)!.seq, rows });
        let at = 0;
        for (const g of group) {
          g.resolve(acks.slice(at, at + g.items.length));
          at += g.items.length;
        }
      },
      (e: unknown) => {
        for (const g of group) g.reject(e);
      },
    );
  }

  /** Locks the team's counter row for this transaction and reads it. */
  private async lockTeam(t: Kysely<DB>, teamId: string): Promise<{ seq: number; leaseMs: number; lastAt: number }> {
    const row =
      this.db.kind === 'postgres'
        ? await t.updateTable('teams').set({ seq: sql`seq` }).where('id', '=', teamId).returning(['seq', 'lease_ms', 'last_at']).executeTakeFirst()
        : this.fast
          ? this.fast.get<{ seq: number; lease_ms: number; last_at: number }>('SELECT seq, lease_ms, last_at FROM teams WHERE id = ?', [teamId])
          : await t.selectFrom('teams').select(['seq', 'lease_ms', 'last_at']).where('id', '=', teamId).executeTakeFirst();
    if (!row) throw new ApiError(404, 'no such team', 'not-found');
    return { seq: Number(row.seq), leaseMs: Number(row.lease_ms), lastAt: Number(row.last_at) };
  }

  /** The heart of it: judges items in order inside a transaction and writes the accepted ones. */
  private async commitOps(t: Kysely<DB>, teamId: string, items: readonly Item[], asked: number): Promise<{ acks: Ack[]; rows: OpRow[] }> {
    const team = await this.lockTeam(t, teamId);
    // Authority time, judged under the team's lock and never before the last accepted op's,
    // so leases are judged in sequence order even across instances whose clocks differ a little.
    const now = Math.max(asked, this.now(), team.lastAt);
    const ops = items.flatMap((i) => (i.kind === 'op' ? [i.op] : []));
    const ids = [...new Set(ops.map((o) => o.id))];
    const actors = [...new Set(ops.map((o) => o.actor))];
    const claimKeys = new Set<string>();
    const endorseKeys = new Set<string>();
    const obsKeys = new Set<string>();
    const linking = new Set<string>();
    for (const op of ops) {
      if (op.type === 'endorse' || op.type === 'retract') endorseKeys.add(endorsementKey(op.actor, op.post));
      else if (op.type === 'observe') obsKeys.add(threadKey(op.thread));
      else if (op.type === 'member') {
        if (op.handles) linking.add(op.actor);
      } else if (op.type !== 'site') claimKeys.add(threadKey(op.thread));
    }
    const inList = <T>(xs: Iterable<T>) => [...xs];
    const fast = this.fast;
    type Body = { key: string; body: string };
    const [existing, rejected, members, handles, disputeRows, claimRows, endorseRows, obsRows] = await inTurn([
      () => !ids.length ? [] : fast ? fast.byList<{ id: string; seq: number; at: number; actor: string }>('ops', 'id, seq, at, actor', 'id', teamId, ids) : t.selectFrom('ops').select(['id', 'seq', 'at', 'actor']).where('team_id', '=', teamId).where('id', 'in', ids).execute(),
      () => !ids.length ? [] : fast ? fast.byList<DB['rejections']>('rejections', '*', 'id', teamId, ids) : t.selectFrom('rejections').selectAll().where('team_id', '=', teamId).where('id', 'in', ids).execute(),
      () => fast
        ? fast.all<Pick<DB['members'], 'id' | 'name' | 'role' | 'revoked_at'>>('SELECT id, name, role, revoked_at FROM members WHERE team_id = ?', [teamId])
        : t.selectFrom('members').select(['id', 'name', 'role', 'revoked_at']).where('team_id', '=', teamId).execute(),
      // Linking handles is judged against everyone's; otherwise only the actors' own matter.
      () => linking.size
        ? t.selectFrom('handles').selectAll().where('team_id', '=', teamId).execute()
        : actors.length
          ? fast
            ? fast.byList<DB['handles']>('handles', '*', 'member_id', teamId, actors)
            : t.selectFrom('handles').selectAll().where('team_id', '=', teamId).where('member_id', 'in', actors).execute()
          : [],
      () => linking.size ? t.selectFrom('handle_disputes').selectAll().where('team_id', '=', teamId).execute() : [],
      () => !claimKeys.size ? [] : fast ? fast.byList<Body>('claims', 'key, body', 'key', teamId, inList(claimKeys)) : t.selectFrom('claims').select(['key', 'body']).where('team_id', '=', teamId).where('key', 'in', inList(claimKeys)).execute(),
      // A member linking handles may have thanked posts under them before: load all they gave.
      () => fast && endorseKeys.size && !linking.size
        ? fast.byList<Body>('endorsements', 'key, body', 'key', teamId, inList(endorseKeys))
        : endorseKeys.size || linking.size
        ? t
            .selectFrom('endorsements')
            .select(['key', 'body'])
            .where('team_id', '=', teamId)
            .where((eb) =>
              eb.or([...(endorseKeys.size ? [eb('key', 'in', inList(endorseKeys))] : []), ...(linking.size ? [eb('actor', 'in', inList(linking))] : [])]),
            )
            .execute()
        : [],
      () => !obsKeys.size ? [] : fast ? fast.byList<Body>('observations', 'key, body', 'key', teamId, inList(obsKeys)) : t.selectFrom('observations').select(['key', 'body']).where('team_id', '=', teamId).where('key', 'in', inList(obsKeys)).execute(),
    ]);

    const memberById = new Map(members.map((m) => [m.id, m]));
    const nameOf = (id: string) => memberById.get(id)?.name ?? 'A former member';
    const rules: ClaimRules = { leaseMs: team.leaseMs, isManager: (m) => memberById.get(m)?.role === 'manager' };
    const claims = new Map<string, Claim>(claimRows.map((r) => [r.key, JSON.parse(r.body) as Claim]));
    const endorsements = new Map<string, Endorsement>(endorseRows.map((r) => [r.key, JSON.parse(r.body) as Endorsement]));
    const observations = new Map<string, Observation>(obsRows.map((r) => [r.key, JSON.parse(r.body) as Observation]));
    const handleOwner = new Map(handles.map((h) => [h.handle_key, h.member_id]));
    const handlesOf = new Map<string, { site: string; handle: string }[]>();
    for (const h of handles) handlesOf.set(h.member_id, [...(handlesOf.get(h.member_id) ?? []), { site: h.site, handle: h.handle }]);
    const disputes = new Map(disputeRows.map((d) => [d.handle_key, { site: d.site, handle: d.handle, members: JSON.parse(d.members) as string[], created: Number(d.created_at) }]));
    const dirtyDisputes = new Set<string>();

    type Known = Ack & { actor: string };
    const known = new Map<string, Known>();
    for (const r of existing) known.set(r.id, { id: r.id, ok: true, seq: Number(r.seq), at: Number(r.at), actor: r.actor });
    for (const r of rejected) known.set(r.id, { ...rejectionAck(r, nameOf), actor: r.actor });

    const dirtyClaims = new Set<string>();
    const dirtyEndorsements = new Set<string>();
    const dirtyObservations = new Set<string>();
    const memberNames = new Map<string, string>();
    const memberHandles = new Map<string, { site: string; handle: string; key: string }[]>();
    const rows: (OpRow & { id: string; actor: string; type: string; at: number })[] = [];
    const newRejections: DB['rejections'][] = [];
    const acks: Ack[] = [];
    let seq = team.seq;
    /** Ops the server makes while judging (a handle taken from both claimants, thanks withdrawn): sequenced right after the op that caused them. */
    const followUps: Op[] = [];
    const serverOp = (actor: string, payload: Record<string, unknown>, after?: string): Op =>
      ({ v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(after), actor, ...payload }) as Op;

    /** Judges one op and applies its effect in memory; a refusal changes nothing but disputes. */
    const judge = (op: Op): { code: string; reason: string; holder?: string } | null => {
      switch (op.type) {
        case 'endorse': {
          const mine = (handlesOf.get(op.actor) ?? []).filter((h) => h.site === op.post.site).map((h) => h.handle);
          const problem = endorseProblem(op, mine);
          if (problem) return { code: 'self-endorsement', reason: problem };
          const key = endorsementKey(op.actor, op.post);
          endorsements.set(key, applyEndorsement(endorsements.get(key), op));
          dirtyEndorsements.add(key);
          return null;
        }
        case 'retract': {
          const key = endorsementKey(op.actor, op.post);
          endorsements.set(key, applyEndorsement(endorsements.get(key), op));
          dirtyEndorsements.add(key);
          return null;
        }
        case 'observe': {
          const key = threadKey(op.thread);
          observations.set(key, applyObservation(observations.get(key), op));
          dirtyObservations.add(key);
          return null;
        }
        case 'member': {
          if (op.handles) {
            const next = new Map<string, { site: string; handle: string; key: string }>();
            for (const h of op.handles) next.set(handleKey(h.site, h.handle), { site: h.site, handle: h.handle.trim(), key: handleKey(h.site, h.handle) });
            // A handle someone else linked, or one already in dispute, belongs to nobody
            // until a manager decides: first come is not first served.
            const contested: { site: string; handle: string; other: string }[] = [];
            for (const h of next.values()) {
              const owner = handleOwner.get(h.key);
              const dispute = disputes.get(h.key);
              if (dispute) {
                if (!dispute.members.includes(op.actor)) dispute.members.push(op.actor);
                dirtyDisputes.add(h.key);
                contested.push({ ...h, other: dispute.members.find((m) => m !== op.actor) ?? op.actor });
              } else if (owner && owner !== op.actor) {
                // Shown as first linked.
                const first = (handlesOf.get(owner) ?? []).find((x) => handleKey(x.site, x.handle) === h.key) ?? h;
                disputes.set(h.key, { site: first.site, handle: first.handle, members: [owner, op.actor], created: now });
                dirtyDisputes.add(h.key);
                handleOwner.delete(h.key);
                const left = (handlesOf.get(owner) ?? []).filter((x) => handleKey(x.site, x.handle) !== h.key);
                handlesOf.set(owner, left);
                followUps.push(serverOp(owner, { type: 'member', handles: left }));
                contested.push({ ...h, other: owner });
              }
            }
            if (contested.length) {
              const h = contested[0]!;
              // The other claimant is recorded (not named in the reason), so erasing them erases this refusal too.
              return { code: 'handle-disputed', reason: `${h.handle} on ${h.site} is linked by another member too: a manager decides whose it is`, holder: h.other };
            }
            const before = new Set((handlesOf.get(op.actor) ?? []).map((h) => handleKey(h.site, h.handle)));
            for (const [k, owner] of handleOwner) if (owner === op.actor && !next.has(k)) handleOwner.delete(k);
            for (const k of next.keys()) handleOwner.set(k, op.actor);
            memberHandles.set(op.actor, [...next.values()]);
            handlesOf.set(op.actor, [...next.values()]);
            // Thanks I gave to a handle before linking it as mine were thanks to myself.
            const added = new Set([...next.keys()].filter((k) => !before.has(k)));
            if (added.size) {
              for (const e of endorsements.values()) {
                if (e.actor === op.actor && !e.retracted && added.has(e.authorKey)) followUps.push(serverOp(op.actor, { type: 'retract', post: e.post }, e.hlc));
              }
            }
          }
          if (op.name !== undefined) memberNames.set(op.actor, op.name);
          return null;
        }
        case 'site':
          // How to read a forum, shared with everyone: a manager's decision. Clients fold it.
          if (!rules.isManager(op.actor)) return { code: 'not-manager', reason: 'only a manager can share how to read a site with the team' };
          return null;
        default: {
          if (op.type === 'handoff') {
            const to = memberById.get(op.to);
            if (!to || to.revoked_at !== null) return { code: 'unknown-member', reason: 'that member is not in this team' };
          }
          const key = threadKey(op.thread);
          const r = applyClaim(claims.get(key), op, now, rules);
          if (!r.ok) {
            const holder = 'holder' in r.rejection ? r.rejection.holder : undefined;
            return { code: r.rejection.code, reason: describeRejection(r.rejection, () => HOLDER), ...(holder ? { holder } : {}) };
          }
          claims.set(key, r.claim);
          dirtyClaims.add(key);
          return null;
        }
      }
    };

    const accept = (op: Op) => {
      seq += 1;
      // The JSON of `{...op, seq, at}` (an op has no seq or at of its own), without copying the op.
      const json = JSON.stringify(op.type === 'observe' ? { ...op, actor: HIDDEN_OBSERVER } : op);
      const body = `${json.slice(0, -1)},"seq":${seq},"at":${now}}`;
      rows.push({ seq, body, id: op.id, actor: op.actor, type: op.type, at: now });
      known.set(op.id, { id: op.id, ok: true, seq, at: now, actor: op.actor });
    };
    const drainFollowUps = () => {
      while (followUps.length) {
        const op = followUps.shift()!;
        if (!judge(op)) accept(op);
      }
    };

    for (const item of items) {
      if (item.kind === 'invalid') {
        acks.push({ id: item.id, ok: false, code: item.code, reason: item.reason });
        continue;
      }
      const op = item.op;
      const prior = known.get(op.id);
      if (prior) {
        if (prior.actor !== op.actor) acks.push({ id: op.id, ok: false, code: 'conflict', reason: 'this op id was already used by another op' });
        else {
          const { actor: _, ...ack } = prior;
          acks.push(ack);
        }
        continue;
      }
      const refusal = judge(op);
      if (refusal) {
        const row: DB['rejections'] = { team_id: teamId, id: op.id, actor: op.actor, code: refusal.code, reason: refusal.reason, holder: refusal.holder ?? null, at: now };
        const ack = rejectionAck(row, nameOf);
        known.set(op.id, { ...ack, actor: op.actor });
        newRejections.push(row);
        acks.push(ack);
        drainFollowUps();
        continue;
      }
      accept(op);
      acks.push({ id: op.id, ok: true, seq, at: now });
      drainFollowUps();
    }

    // Writes: the ops, their effect, the refusals (so a repeat gets the same answer), the counter.
    const opValues = rows.map((r) => ({ team_id: teamId, seq: r.seq, id: r.id, actor: r.actor, type: r.type, at: r.at, body: r.body }));
    const claimValues = [...dirtyClaims].map((k) => {
      const c = claims.get(k)!;
      return { team_id: teamId, key: k, holder: c.holder, status: c.status, expires_at: c.expiresAt, body: JSON.stringify(c) };
    });
    const endorseValues = [...dirtyEndorsements].map((k) => ({ team_id: teamId, key: k, actor: endorsements.get(k)!.actor, body: JSON.stringify(endorsements.get(k)) }));
    const obsValues = [...dirtyObservations].map((k) => ({ team_id: teamId, key: k, body: JSON.stringify(observations.get(k)) }));
    if (fast) {
      fast.upsert('ops', opValues, null);
      fast.upsert('claims', claimValues, 'team_id, key', ['holder', 'status', 'expires_at', 'body']);
      fast.upsert('endorsements', endorseValues, 'team_id, key', ['body']);
      fast.upsert('observations', obsValues, 'team_id, key', ['body']);
      fast.upsert('rejections', newRejections, '', []);
    } else {
      // One query at a time: a transaction is one connection, which runs one query at once.
      const writes: (() => Promise<unknown>)[] = [];
      for (const part of chunk(opValues, 200)) writes.push(() => t.insertInto('ops').values(part).execute());
      const upsert = <K extends 'claims' | 'endorsements' | 'observations'>(table: K, values: DB[K][], cols: (keyof DB[K] & string)[]) => {
        for (const part of chunk(values, 200)) {
          writes.push(() =>
            t
              .insertInto(table)
              .values(part as never)
              .onConflict((oc) => oc.columns(['team_id', 'key'] as never).doUpdateSet(Object.fromEntries(cols.map((c) => [c, sql.ref(`excluded.${c}`)])) as never))
              .execute(),
          );
        }
      };
      upsert('claims', claimValues, ['holder', 'status', 'expires_at', 'body']);
      upsert('endorsements', endorseValues, ['body']);
      upsert('observations', obsValues, ['body']);
      for (const part of chunk(newRejections, 200)) writes.push(() => t.insertInto('rejections').values(part).onConflict((oc) => oc.doNothing()).execute());
      await inTurn(writes);
    }
    if (newRejections.length) {
      // A member who keeps sending refused ops cannot grow the table without bound.
      for (const actor of new Set(newRejections.map((r) => r.actor))) {
        await t
          .deleteFrom('rejections')
          .where('team_id', '=', teamId)
          .where('actor', '=', actor)
          .where('id', 'not in', (eb) =>
            eb.selectFrom('rejections').select('id').where('team_id', '=', teamId).where('actor', '=', actor).orderBy('at', 'desc').orderBy('id', 'desc').limit(MAX_REJECTIONS_PER_MEMBER),
          )
          .execute();
      }
    }
    for (const key of dirtyDisputes) {
      const d = disputes.get(key)!;
      await t
        .insertInto('handle_disputes')
        .values({ team_id: teamId, handle_key: key, site: d.site, handle: d.handle, members: JSON.stringify(d.members), created_at: d.created })
        .onConflict((oc) => oc.columns(['team_id', 'handle_key']).doUpdateSet({ members: JSON.stringify(d.members) }))
        .execute();
    }
    for (const [id, name] of memberNames) await t.updateTable('members').set({ name }).where('id', '=', id).execute();
    for (const [id, list] of memberHandles) {
      await t.deleteFrom('handles').where('team_id', '=', teamId).where('member_id', '=', id).execute();
      if (list.length) await t.insertInto('handles').values(list.map((h) => ({ team_id: teamId, handle_key: h.key, site: h.site, handle: h.handle, member_id: id }))).execute();
    }
    if (seq !== team.seq) {
      if (fast) fast.run('UPDATE teams SET seq = ?, last_at = ? WHERE id = ?', [seq, now, teamId]);
      else await t.updateTable('teams').set({ seq, last_at: now }).where('id', '=', teamId).execute();
      await this.notifyInTx(t, { type: 'ops', teamId, seq });
    }
    return { acks, rows: rows.map((r) => ({ seq: r.seq, body: r.body })) };
  }

  /** Accepted ops after `after`, oldest first, at most `limit`. */
  async readOps(teamId: string, after: number, limit: number): Promise<OpRow[]> {
    const rows = await this.db.q
      .selectFrom('ops')
      .select(['seq', 'body'])
      .where('team_id', '=', teamId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    // What was read may be committed but not yet on disk: it is told to nobody before it is.
    if (rows.length) await this.db.wal?.durable();
    return rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
  }

  /** A page of the log: the ops' JSON, where the next page starts, and whether there is one. */
  async pull(teamId: string, after: number, limit: number): Promise<{ rows: OpRow[]; next: number; more: boolean }> {
    const rows = await this.readOps(teamId, after, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return { rows: page, next: page.length ? page.at(-1)!.seq : after, more };
  }

  /** The team's last sequence number. */
  async teamSeq(teamId: string): Promise<number> {
    const r = await this.db.q.selectFrom('teams').select('seq').where('id', '=', teamId).executeTakeFirst();
    return r ? Number(r.seq) : 0;
  }

  /** Last sequence of each of these teams (live catch-up). */
  async teamSeqs(teamIds: readonly string[]): Promise<Map<string, number>> {
    if (!teamIds.length) return new Map();
    const rows = await this.db.q.selectFrom('teams').select(['id', 'seq']).where('id', 'in', [...teamIds]).execute();
    return new Map(rows.map((r) => [r.id, Number(r.seq)]));
  }

  /** Members revoked since `since` (ms), for instances that did not hear it. */
  async revokedSince(since: number): Promise<{ id: string; teamId: string; at: number }[]> {
    const rows = await this.db.q.selectFrom('members').select(['id', 'team_id', 'revoked_at']).where('revoked_at', '>', since).execute();
    return rows.map((r) => ({ id: r.id, teamId: r.team_id, at: Number(r.revoked_at) }));
  }

  // ---------------------------------------------------------------------------- revoke, erase, compact

  /** Release ops for every live claim a member holds (server-made, in the member's name). */
  private async releaseOpsFor(t: Kysely<DB>, teamId: string, memberId: string, now: number): Promise<Item[]> {
    const held = await t
      .selectFrom('claims')
      .select('body')
      .where('team_id', '=', teamId)
      .where('holder', '=', memberId)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .execute();
    return held.map((r) => {
      const c = JSON.parse(r.body) as Claim;
      return { kind: 'op', op: { v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(), actor: memberId, type: 'release', thread: c.thread, epoch: c.epoch } as Op };
    });
  }

  /**
   * Removes a member: their tokens stop working, live sockets close (listeners of the
   * `revoked` event), and every claim they hold is released through the log.
   */
  async revoke(memberId: string): Promise<{ released: number }> {
    const member = await this.member(memberId);
    if (!member) throw new ApiError(404, 'no such member', 'not-found');
    const { rows, released } = await transaction(this.db, async (t) => {
      const now = this.now();
      await this.lockTeam(t, member.teamId);
      await t.updateTable('members').set({ revoked_at: now }).where('id', '=', memberId).where('revoked_at', 'is', null).execute();
      await t.deleteFrom('tokens').where('member_id', '=', memberId).execute();
      await t.deleteFrom('tickets').where('member_id', '=', memberId).execute();
      await t.deleteFrom('invites').where('member_id', '=', memberId).execute();
      const releases = await this.releaseOpsFor(t, member.teamId, memberId, now);
      const { rows } = releases.length ? await this.commitOps(t, member.teamId, releases, now) : { rows: [] as OpRow[] };
      await this.notifyInTx(t, { type: 'revoked', teamId: member.teamId, memberId });
      return { rows, released: releases.length };
    });
    if (rows.length) this.emit({ type: 'ops', teamId: member.teamId, seq: rows.at(-1)!.seq, rows });
    this.emit({ type: 'revoked', teamId: member.teamId, memberId });
    return { released };
  }

  /**
   * Erases a member's personal content and removes them: every endorsement they gave is
   * retracted and their name and handles are replaced, through ops appended to the log (so
   * every client's state follows), claims are released; then the log is compacted, which
   * drops the superseded ops that carried notes, names and handles.
   */
  async erase(memberId: string): Promise<{ retracted: number; dropped: number }> {
    const member = await this.member(memberId);
    if (!member) throw new ApiError(404, 'no such member', 'not-found');
    const { rows, retracted } = await transaction(this.db, async (t) => {
      const now = this.now();
      await this.lockTeam(t, member.teamId);
      const given = await t.selectFrom('endorsements').select('body').where('team_id', '=', member.teamId).where('actor', '=', memberId).execute();
      const items: Item[] = [];
      for (const r of given) {
        const e = JSON.parse(r.body) as Endorsement;
        if (e.retracted) continue;
        items.push({ kind: 'op', op: { v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(e.hlc), actor: memberId, type: 'retract', post: e.post } as Op });
      }
      const retracted = items.length;
      items.push(...(await this.releaseOpsFor(t, member.teamId, memberId, now)));
      items.push({ kind: 'op', op: { v: OP_VERSION, id: this.newId(), hlc: this.nextHlc(), actor: memberId, type: 'member', name: ERASED_NAME, handles: [] } as Op });
      const { rows } = await this.commitOps(t, member.teamId, items, now);
      await t.updateTable('members').set({ name: ERASED_NAME, erased_at: now }).where('id', '=', memberId).execute();
      await t.updateTable('members').set({ revoked_at: now }).where('id', '=', memberId).where('revoked_at', 'is', null).execute();
      await t.deleteFrom('tokens').where('member_id', '=', memberId).execute();
      await t.deleteFrom('tickets').where('member_id', '=', memberId).execute();
      await t.deleteFrom('invites').where('member_id', '=', memberId).execute();
      // Refusals by them, and refusals of others that name them ("Bob holds this claim").
      await t
        .deleteFrom('rejections')
        .where('team_id', '=', member.teamId)
        .where((eb) => eb.or([eb('actor', '=', memberId), eb('holder', '=', memberId)]))
        .execute();
      // Disputes over handles they linked: without them, a dispute of two is over.
      for (const d of await t.selectFrom('handle_disputes').selectAll().where('team_id', '=', member.teamId).execute()) {
        const members = (JSON.parse(d.members) as string[]).filter((m) => m !== memberId);
        if (members.length === (JSON.parse(d.members) as string[]).length) continue;
        const q = t.deleteFrom('handle_disputes').where('team_id', '=', member.teamId).where('handle_key', '=', d.handle_key);
        if (members.length < 2) await q.execute();
        else await t.updateTable('handle_disputes').set({ members: JSON.stringify(members) }).where('team_id', '=', member.teamId).where('handle_key', '=', d.handle_key).execute();
      }
      await this.notifyInTx(t, { type: 'revoked', teamId: member.teamId, memberId });
      return { rows, retracted };
    });
    if (rows.length) this.emit({ type: 'ops', teamId: member.teamId, seq: rows.at(-1)!.seq, rows });
    this.emit({ type: 'revoked', teamId: member.teamId, memberId });
    const { dropped } = await this.compact(member.teamId);
    return { retracted, dropped };
  }

  /**
   * Rewrites a team's log so that folding it from zero gives the same state while dropping
   * what no fold needs any more: endorse/retract ops that lost to a newer one for the same
   * member and post, observe ops none of whose fields still win, and member ops whose name
   * and handles were both replaced later. Claim ops are kept (their fold depends on order).
   * A client part-way through the log ends in the same state: a dropped op never wins.
   */
  async compact(teamId: string): Promise<{ dropped: number; kept: number }> {
    return transaction(this.db, async (t) => {
      await this.lockTeam(t, teamId);
      const now = this.now();
      const rows = await t
        .selectFrom('ops')
        .select(['id', 'seq', 'body'])
        .where('team_id', '=', teamId)
        .where('type', 'in', ['endorse', 'retract', 'observe', 'member'])
        .orderBy('seq')
        .execute();
      const ops = rows.map((r) => JSON.parse(r.body) as AcceptedOp);
      const keep = new Set<string>();
      const bestEndorse = new Map<string, AcceptedOp>();
      const bestField = new Map<string, AcceptedOp>();
      const lastName = new Map<string, string>();
      const lastHandles = new Map<string, string>();
      for (const op of ops) {
        if (op.type === 'endorse' || op.type === 'retract') {
          const key = endorsementKey(op.actor, op.post);
          const cur = bestEndorse.get(key);
          if (!cur || compareOps(op, cur) > 0) bestEndorse.set(key, op);
        } else if (op.type === 'observe') {
          for (const [field, value] of Object.entries(op.fields)) {
            if (value === undefined) continue;
            const key = `${threadKey(op.thread)} ${field}`;
            const cur = bestField.get(key);
            if (!cur || compareOps(op, cur) > 0) bestField.set(key, op);
          }
        } else if (op.type === 'member') {
          if (op.name !== undefined) lastName.set(op.actor, op.id);
          if (op.handles !== undefined) lastHandles.set(op.actor, op.id);
        }
      }
      for (const op of bestEndorse.values()) keep.add(op.id);
      for (const op of bestField.values()) keep.add(op.id);
      for (const id of lastName.values()) keep.add(id);
      for (const id of lastHandles.values()) keep.add(id);
      const drop = rows.filter((r) => !keep.has(r.id)).map((r) => Number(r.seq));
      for (const part of chunk(drop, 500)) await t.deleteFrom('ops').where('team_id', '=', teamId).where('seq', 'in', part).execute();
      await t.deleteFrom('tickets').where('expires_at', '<', now).execute();
      await t.deleteFrom('invites').where('expires_at', '<', now - INVITE_TTL_MS).execute();
      // Refusals are remembered so a repeated push gets the same answer; a month is plenty.
      await t.deleteFrom('rejections').where('team_id', '=', teamId).where('at', '<', now - REJECTION_TTL_MS).execute();
      const left = await t.selectFrom('ops').select((eb) => eb.fn.countAll<number>().as('n')).where('team_id', '=', teamId).executeTakeFirst();
      return { dropped: drop.length, kept: Number(left?.n ?? 0) };
    });
  }

  /** The server's folded state of a team (tests and diagnostics): claims, endorsements, observations. */
  async state(teamId: string): Promise<{ claims: Map<string, Claim>; endorsements: Map<string, Endorsement>; observations: Map<string, Observation> }> {
    const [c, e, o] = await Promise.all([
      this.db.q.selectFrom('claims').select(['key', 'body']).where('team_id', '=', teamId).execute(),
      this.db.q.selectFrom('endorsements').select(['key', 'body']).where('team_id', '=', teamId).execute(),
      this.db.q.selectFrom('observations').select(['key', 'body']).where('team_id', '=', teamId).execute(),
    ]);
    const map = <T>(rows: { key: string; body: string }[]) => new Map(rows.map((r) => [r.key, JSON.parse(r.body) as T]));
    return { claims: map<Claim>(c), endorsements: map<Endorsement>(e), observations: map<Observation>(o) };
  }
}

/**
 * Runs queries one after another, in order: inside a transaction they share one connection,
 * which answers one query at a time (PostgreSQL's client refuses overlapping ones).
 */
async function inTurn<T extends unknown[]>(queries: [...{ [K in keyof T]: () => T[K] | Promise<T[K]> }]): Promise<T> {
  const out: unknown[] = [];
  for (const q of queries) out.push(await q());
  return out as T;
}
