/**
 * Live fan-out. Each instance keeps, per team with open sockets, a feed that follows the
 * team's log: ops committed here are handed over directly; ops committed by other
 * instances are announced by PostgreSQL NOTIFY (only `(team, seq)`) or found by a poll,
 * and read from the database once per instance. Every socket has a cursor, so it gets each
 * op once, in sequence order, after first catching up from the `after` it asked for.
 */
import pg from 'pg';
import type { WebSocket } from 'ws';
import type { Metrics } from './metrics';
import { NOTIFY_CHANNEL, type Member, type OpRow, type StoreEvent, type TeamStore } from './team-store';

/** Close code for a socket whose member was removed from the team. */
export const CLOSE_REVOKED = 4401;
/** A socket that lets this much pile up unsent is closed; it reconnects and catches up. */
const MAX_BUFFERED = 16 * 1024 * 1024;
const PAGE = 1000;

interface Conn {
  ws: WebSocket;
  memberId: string;
  teamId: string;
  cursor: number;
  catching: boolean;
  queued: OpRow[][];
  alive: boolean;
}

interface Feed {
  teamId: string;
  head: number;
  target: number;
  ready: Promise<void>;
  reading: boolean;
  conns: Set<Conn>;
}

/** The live message for some ops: `{type:'ops', after, next, ops}` (ops in sequence order). */
export function opsMessage(after: number, rows: readonly OpRow[]): string {
  return `{"type":"ops","after":${after},"next":${rows.at(-1)!.seq},"ops":[${rows.map((r) => r.body).join(',')}]}`;
}

export class LiveHub {
  private readonly feeds = new Map<string, Feed>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: TeamStore,
    private readonly metrics: Metrics,
    options: { heartbeatMs?: number } = {},
  ) {
    this.heartbeat = setInterval(() => this.checkAlive(), options.heartbeatMs ?? 30_000);
    this.heartbeat.unref?.();
    metrics.gauge('tend_live_sockets', 'Open live sockets on this instance', () => this.size);
  }

  /** Open sockets on this instance. */
  get size(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.conns.size;
    return n;
  }

  /** Teams with open sockets here. */
  teams(): string[] {
    return [...this.feeds.keys()];
  }

  private feed(teamId: string): Feed {
    let feed = this.feeds.get(teamId);
    if (feed) return feed;
    const created: Feed = { teamId, head: 0, target: 0, reading: false, conns: new Set(), ready: Promise.resolve() };
    created.ready = this.store.teamSeq(teamId).then((seq) => {
      created.head = Math.max(created.head, seq);
      created.target = Math.max(created.target, seq);
    });
    this.feeds.set(teamId, created);
    feed = created;
    void feed.ready.then(() => this.pump(created)).catch((e) => console.warn('tend: live feed failed to start', e));
    return feed;
  }

  /** Takes an upgraded socket: catches it up from `after`, then keeps it live. */
  attach(ws: WebSocket, member: Member, after: number): void {
    const feed = this.feed(member.teamId);
    const conn: Conn = { ws, memberId: member.id, teamId: member.teamId, cursor: after, catching: true, queued: [], alive: true };
    feed.conns.add(conn);
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (message && typeof message === 'object' && (message as { type?: unknown }).type === 'ping') this.sendRaw(conn, '{"type":"pong"}');
    });
    const detach = () => {
      feed.conns.delete(conn);
      if (!feed.conns.size && this.feeds.get(feed.teamId) === feed) this.feeds.delete(feed.teamId);
    };
    ws.on('close', detach);
    ws.on('error', detach);
    void (async () => {
      await feed.ready;
      for (;;) {
        const rows = await this.store.readOps(member.teamId, conn.cursor, PAGE);
        this.deliver(conn, rows);
        if (rows.length < PAGE || ws.readyState !== ws.OPEN) break;
      }
      conn.catching = false;
      for (const rows of conn.queued) this.deliver(conn, rows);
      conn.queued = [];
    })().catch((e) => {
      console.warn('tend: live catch-up failed', e);
      ws.close(1011, 'catch-up failed');
    });
  }

  private sendRaw(conn: Conn, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED) {
      conn.ws.close(1013, 'too far behind: reconnect');
      return;
    }
    conn.ws.send(text);
    this.metrics.liveMessages.inc();
  }

  /** Sends the rows this socket has not had yet. */
  private deliver(conn: Conn, rows: readonly OpRow[]): void {
    const fresh = rows.length && rows[0]!.seq > conn.cursor ? rows : rows.filter((r) => r.seq > conn.cursor);
    if (!fresh.length) return;
    this.sendRaw(conn, opsMessage(conn.cursor, fresh));
    conn.cursor = fresh.at(-1)!.seq;
  }

  private broadcast(feed: Feed, prevHead: number, rows: readonly OpRow[]): void {
    if (!rows.length) return;
    const last = rows.at(-1)!.seq;
    let shared: string | undefined;
    for (const conn of feed.conns) {
      if (conn.catching) conn.queued.push(rows as OpRow[]);
      else if (conn.cursor === prevHead && rows[0]!.seq > prevHead) {
        shared ??= opsMessage(prevHead, rows);
        this.sendRaw(conn, shared);
        conn.cursor = last;
      } else this.deliver(conn, rows);
    }
  }

  /** A commit here (with its rows) or elsewhere (sequence only). */
  onEvent(e: StoreEvent): void {
    if (e.type === 'revoked') return this.revoke(e.teamId, e.memberId);
    const feed = this.feeds.get(e.teamId);
    if (!feed) return;
    if (e.rows?.length && !feed.reading && feed.head === feed.target && e.rows[0]!.seq === feed.head + 1) {
      // Ops committed by this instance, right after what the feed has: no need to read them back.
      const prev = feed.head;
      feed.head = feed.target = e.rows.at(-1)!.seq;
      this.broadcast(feed, prev, e.rows);
      return;
    }
    feed.target = Math.max(feed.target, e.seq);
    void this.pump(feed);
  }

  private async pump(feed: Feed): Promise<void> {
    if (feed.reading) return;
    feed.reading = true;
    try {
      await feed.ready;
      while (feed.head < feed.target) {
        const rows = await this.metrics.time('live-read', () => this.store.readOps(feed.teamId, feed.head, PAGE));
        if (!rows.length) {
          feed.head = feed.target;
          break;
        }
        const prev = feed.head;
        feed.head = rows.at(-1)!.seq;
        feed.target = Math.max(feed.target, feed.head);
        this.broadcast(feed, prev, rows);
      }
    } catch (e) {
      console.warn('tend: live read failed', e);
    } finally {
      feed.reading = false;
    }
  }

  /** Closes a removed member's sockets. */
  revoke(teamId: string, memberId: string): void {
    const feed = this.feeds.get(teamId);
    if (!feed) return;
    for (const conn of feed.conns) if (conn.memberId === memberId) conn.ws.close(CLOSE_REVOKED, 'removed from the team');
  }

  /** Checks every followed team's sequence in the database (missed notifications, other processes). */
  async poll(): Promise<void> {
    const teams = this.teams();
    if (!teams.length) return;
    const seqs = await this.store.teamSeqs(teams);
    for (const [teamId, seq] of seqs) {
      const feed = this.feeds.get(teamId);
      if (feed && seq > feed.target) this.onEvent({ type: 'ops', teamId, seq });
    }
  }

  private checkAlive(): void {
    for (const feed of this.feeds.values()) {
      for (const conn of feed.conns) {
        if (!conn.alive) {
          conn.ws.terminate();
          continue;
        }
        conn.alive = false;
        try {
          conn.ws.ping();
        } catch {
          // closing
        }
      }
    }
  }

  /** Closes every socket (server shutdown: clients reconnect elsewhere). */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const feed of this.feeds.values()) for (const conn of feed.conns) conn.ws.close(1012, 'server restarting');
    this.feeds.clear();
  }
}

/**
 * Listens for other instances' commits on a dedicated PostgreSQL connection (pooled
 * connections drop LISTEN). Reconnects with backoff; after a reconnect the caller polls,
 * since notifications sent meanwhile are lost.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 250;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly onEvent: (e: StoreEvent) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== NOTIFY_CHANNEL || !msg.payload) return;
      try {
        const p = JSON.parse(msg.payload) as { t?: string; s?: number; r?: string };
        if (typeof p.t !== 'string') return;
        if (typeof p.s === 'number') this.onEvent({ type: 'ops', teamId: p.t, seq: p.s });
        else if (typeof p.r === 'string') this.onEvent({ type: 'revoked', teamId: p.t, memberId: p.r });
      } catch {
        // not ours
      }
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
    this.retryMs = 250;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    const retry = () => {
      if (this.closed) return;
      this.connect().then(
        () => this.onReconnect(),
        () => {
          this.retryMs = Math.min(this.retryMs * 2, 10_000);
          this.timer = setTimeout(retry, this.retryMs);
        },
      );
    };
    this.timer = setTimeout(retry, this.retryMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
