/**
 * Hostile text on both databases: NUL, lone surrogates, controls and direction overrides in
 * names, handles, team names, notes and titles. Each is refused with a clear 4xx or stored
 * normalised, the roster and the log agree, and one member's bad push never fails another
 * member's valid ones committed beside it.
 */
import fc from 'fast-check';
import pg from 'pg';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isSafeName, parseOp } from '../../lib/domain';
import type { TendServer } from '../../server/http';
import { backendCases, describeBackends, call, joinTeam, op, post, pullAll, serve, SITE, thread, type Backend } from './helpers';

const cases = await backendCases();

/** Characters that have broken storage or display somewhere. */
const NASTY = ['\u0000', '\ud800', '\udfff', '\u202e', '\u2066', '\u0007', '\u001b', '\u0085', '\u200f', '\ufeff', 'é', '😀', '"', '\\', "'", '{holder}'];

/** A short string mixing ordinary letters with the nasty characters. */
const hostile = () =>
  fc
    .array(fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom('a', 'b', ' ', 'Z', '1')), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(''));

describeBackends('hostile text', cases, (c) => {
  let backend: Backend;
  let server: TendServer;
  beforeAll(async () => {
    backend = await c.make();
    server = await serve(backend.url);
  });
  afterAll(async () => {
    await server?.close();
    await backend?.drop();
  });

  it('refuses a NUL, a lone surrogate or a direction override in a name with 400, and stores nothing', async () => {
    const team = await server.store.resolveTeam('nul-team', true);
    for (const name of ['a\u0000b', 'a\ud800b', '\u202eboB', 'x\u2066y', '\u0000']) {
      const { code } = await server.store.createInvite(team.id, 'member');
      const r = await call(server, 'POST', '/v1/join', { body: { code, name } });
      expect(r.status, JSON.stringify(name)).toBe(400);
      expect(r.body).toMatchObject({ code: 'invalid', error: expect.stringMatching(/name/) });
      // The invite was not spent on a refused join.
      expect((await call(server, 'POST', '/v1/join', { body: { code, name: 'Fine' } })).status).toBe(200);
    }
    const ann = await joinTeam(server, 'nul-team', 'Ann', 'manager');
    expect((await call(server, 'PATCH', '/v1/team', { token: ann.token, body: { name: 'T\u0000' } })).status).toBe(400);
    await expect(server.store.createTeam('x\u0000')).rejects.toMatchObject({ status: 400 });
    const names = (await call(server, 'GET', '/v1/team', { token: ann.token })).body.members.map((m: any) => m.name);
    expect(names.every(isSafeName)).toBe(true);
  });

  it('judges hostile member and observe ops one by one while a teammate’s valid pushes all land', async () => {
    const alice = await joinTeam(server, 'mixed', 'Alice');
    const bob = await joinTeam(server, 'mixed', 'Bob');
    let round = 0;
    await fc.assert(
      fc.asyncProperty(hostile(), hostile(), hostile(), async (name, handle, text) => {
        round += 1;
        const bad = [
          op({ type: 'member', name }),
          op({ type: 'member', handles: [{ site: SITE, handle }] }),
          op({ type: 'observe', thread: thread(`h${round}`), fields: { title: text, tags: [text] } }),
          op({ type: 'endorse', post: post(`h${round}`, '1'), author: 'someone', viewer: null, note: text }),
        ];
        const good = Array.from({ length: 10 }, (_, i) => op({ type: 'claim', thread: thread(`a${round}-${i}`) }));
        // Pushed together, so they are committed in the same group.
        const [b, ...a] = await Promise.all([
          call(server, 'POST', '/v1/ops', { token: bob.token, body: { ops: bad } }),
          ...good.map((o) => call(server, 'POST', '/v1/ops', { token: alice.token, body: { ops: [o] } })),
        ]);
        expect(b!.status).toBe(200);
        for (const r of a) expect(r.body.results[0]).toMatchObject({ ok: true });
        for (const r of b!.body.results) if (!r.ok) expect(r.code).toBe('invalid');
        // Name and handle: accepted exactly when safe after trimming.
        expect(b!.body.results[0].ok).toBe(isSafeName(name.trim()) && name.trim().length > 0);
        // Free text is always kept, normalised.
        expect(b!.body.results[2].ok).toBe(true);
      }),
      { numRuns: 40, seed: 20_261_201 },
    );
    // Everything stored is valid, and the roster says what the log says.
    const log = await pullAll(server, alice.token);
    for (const o of log) expect(parseOp(o).ok, JSON.stringify(o)).toBe(true);
    const titles = log.filter((o) => o.type === 'observe').map((o) => o.fields.title as string);
    expect(titles.every((t) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(t) && !/[\ud800-\udfff]/.test(t.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))).toBe(true);
    const team = (await call(server, 'GET', '/v1/team', { token: alice.token })).body;
    const bobInLog = log.filter((o) => o.type === 'member' && o.actor === bob.member.id && o.name !== undefined).at(-1)?.name ?? 'Bob';
    expect(team.members.find((m: any) => m.id === bob.member.id).name).toBe(bobInLog);
    expect(JSON.stringify(team)).not.toMatch(/\\u0000|\\ud[89ab]/);
    // Read the rows themselves, past the API: no NUL, no lone surrogate in any name or handle.
    const rows = await rawNames(backend);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(isSafeName(r), JSON.stringify(r)).toBe(true);
  });

  it('fails only the push that cannot be stored, not the others committed with it', async () => {
    const alice = await joinTeam(server, 'poison', 'Alice');
    const bob = await joinTeam(server, 'poison', 'Bob');
    // A database rule the server does not know about: ops whose body carries "poison-pill" fail to insert.
    await addPoisonRule(backend);
    try {
      const good = Array.from({ length: 20 }, (_, i) => op({ type: 'claim', thread: thread(`p${i}`) }));
      const pill = op({ type: 'observe', thread: thread('pill'), fields: { title: 'poison-pill' } });
      const [aliceAuth, bobAuth] = [(await server.store.authenticate(alice.token))!, (await server.store.authenticate(bob.token))!];
      // A first push takes the team's commit; the ones that arrive meanwhile wait and go
      // together in the next group, Bob's pill among Alice's claims.
      const first = server.store.push(aliceAuth, [op({ type: 'observe', thread: thread('first'), fields: { replies: 1 } })]);
      const settled = await Promise.allSettled([
        first,
        server.store.push(aliceAuth, [good[0]!]),
        server.store.push(bobAuth, [pill]),
        ...good.slice(1).map((o) => server.store.push(aliceAuth, [o])),
      ]);
      expect(settled[2]!.status).toBe('rejected');
      const others = settled.filter((_, i) => i !== 2);
      expect(others.map((r) => r.status)).toEqual(others.map(() => 'fulfilled'));
      for (const r of others) expect((r as PromiseFulfilledResult<{ ok: boolean }[]>).value[0]).toMatchObject({ ok: true });
      // Over HTTP the pill is a 500 for Bob alone.
      expect((await call(server, 'POST', '/v1/ops', { token: bob.token, body: { ops: [pill] } })).status).toBe(500);
      const log = await pullAll(server, alice.token);
      expect(log.filter((o) => good.some((g) => g.id === o.id))).toHaveLength(good.length);
      expect(log.some((o) => o.id === pill.id)).toBe(false);
    } finally {
      await removePoisonRule(backend);
    }
  });
});

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withSqlite<T>(file: string, fn: (d: Database.Database) => T): T {
  const d = new Database(file);
  d.pragma('busy_timeout = 10000');
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

/** Every member name, team name and handle as stored. */
async function rawNames(backend: Backend): Promise<string[]> {
  const q = `select name as v from members union all select name from teams union all select handle from handles`;
  if (backend.name === 'PostgreSQL') return withPg(backend.url, async (c) => (await c.query<{ v: string }>(q)).rows.map((r) => r.v));
  return withSqlite(backend.url, (d) => (d.prepare(q).all() as { v: string }[]).map((r) => r.v));
}

async function addPoisonRule(backend: Backend): Promise<void> {
  if (backend.name === 'PostgreSQL') {
    await withPg(backend.url, (c) => c.query(`alter table ops add constraint poison check (body not like '%poison-pill%') not valid`));
  } else {
    withSqlite(backend.url, (d) => d.exec(`create trigger poison before insert on ops when new.body like '%poison-pill%' begin select raise(abort, 'poison'); end`));
  }
}

async function removePoisonRule(backend: Backend): Promise<void> {
  if (backend.name === 'PostgreSQL') await withPg(backend.url, (c) => c.query('alter table ops drop constraint poison'));
  else withSqlite(backend.url, (d) => d.exec('drop trigger poison'));
}
