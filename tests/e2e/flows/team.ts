/**
 * A Tend team server in the test process (on a temporary SQLite file), members joining it from
 * a browser, and a teammate who acts through the server's HTTP API with his own token, as his
 * browser would: what Tend receives from him is exactly what it receives from a real teammate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createIdGenerator, encodeHlc, OP_VERSION, type Op, type Payload } from '../../../lib/domain';
import { startServer, type TendServer } from '../../../server/http';
import type { TendBrowser } from '../browsers';

/** The server and what it needs to be taken down. */
export interface TeamServer {
  server: TendServer;
  /** `http://127.0.0.1:<port>`, as members enter it (plain HTTP is allowed on loopback). */
  url: string;
  /** A one-time invite code to the team. */
  invite(role?: 'manager' | 'member'): Promise<string>;
  close(): Promise<void>;
}

/** Starts a team server for `team` on a fresh SQLite file. */
export async function startTeamServer(team: string): Promise<TeamServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tend-e2e-team-'));
  const server = await startServer({ databaseUrl: path.join(dataDir, 'tend.sqlite'), port: 0, host: '127.0.0.1', rateLimit: false, joinRateLimit: false, pollMs: 200, log: () => undefined });
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    async invite(role = 'member') {
      const t = await server.store.resolveTeam(team, true);
      return (await server.store.createInvite(t.id, role)).code;
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Joins `tend` to the team as `name` through the `sync.join` page request, and checks it is
 * synced. `via` is the address the browser is given instead of the server's own (a proxy).
 */
export async function joinTeam(tend: TendBrowser, team: TeamServer, name: string, options: { role?: 'manager' | 'member'; via?: string } = {}): Promise<void> {
  const role = options.role ?? 'member';
  const joined = await tend.send({ type: 'sync.join', server: options.via ?? team.url, code: await team.invite(role), name });
  expect(joined, JSON.stringify(joined)).toMatchObject({ ok: true, value: { member: { name, role } } });
  // Called from hooks, where expect.poll is not allowed.
  const deadline = Date.now() + 15_000;
  let state = await syncState(tend);
  while (state !== 'synced') {
    if (Date.now() > deadline) throw new Error(`${tend.label}: sync is ${state} 15 s after joining`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await syncState(tend);
  }
}

/** Where sync stands for `tend` (`synced`, `offline`, …), as `sync.status` answers. */
export async function syncState(tend: TendBrowser): Promise<string> {
  const status = await tend.send<{ state: string }>({ type: 'sync.status' });
  return status.ok ? status.value.state : `sync.status failed: ${status.error}`;
}

/** A teammate acting through the server's API. */
export interface Teammate {
  id: string;
  /** Makes one op with his token, as his browser would push it; fails the test if the server refuses it. */
  does(payload: Payload): Promise<void>;
  /** The team's log as his browser would pull it: every accepted op. */
  pull(): Promise<(Op & { seq: number })[]>;
}

/** A teammate called `name`, joined through the API. */
export async function teammate(team: TeamServer, name: string): Promise<Teammate> {
  const res = await fetch(`${team.url}/v1/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Tend-Protocol': '1' },
    body: JSON.stringify({ code: await team.invite('member'), name }),
  });
  const joined = (await res.json()) as { token: string; member: { id: string } };
  const nextId = createIdGenerator();
  let tick = 0;
  return {
    id: joined.member.id,
    async does(payload) {
      const op = { ...payload, v: OP_VERSION, id: nextId(), hlc: encodeHlc({ ms: Date.now(), counter: tick++, node: name.toLowerCase() }), actor: joined.member.id } as Op;
      const pushed = await fetch(`${team.url}/v1/ops`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${joined.token}`, 'Tend-Protocol': '1' },
        body: JSON.stringify({ ops: [op] }),
      });
      const body = (await pushed.json()) as { results: { ok: boolean; reason?: string }[] };
      expect(body.results[0], JSON.stringify(body)).toMatchObject({ ok: true });
    },
    async pull() {
      const ops: (Op & { seq: number })[] = [];
      for (let after = 0; ; ) {
        const res = await fetch(`${team.url}/v1/ops?after=${after}`, { headers: { Authorization: `Bearer ${joined.token}`, 'Tend-Protocol': '1' } });
        const page = (await res.json()) as { ops: (Op & { seq: number })[]; next: number; more: boolean };
        ops.push(...page.ops);
        if (!page.more) return ops;
        after = page.next;
      }
    },
  };
}
