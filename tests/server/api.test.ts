/**
 * The sync server's HTTP API and live socket, against SQLite and PostgreSQL alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldClaims,
  foldEndorsements,
  foldObservations,
  type AcceptedOp,
} from '../../lib/domain';
import type { TendServer } from '../../server/http';
import { CLOSE_REVOKED } from '../../server/live';
import { HIDDEN_OBSERVER } from '../../server/team-store';
import { backendCases, call, joinTeam, op, openLive, post, pullAll, push, serve, SITE, thread, type Backend, type Joined } from './helpers';

const cases = await backendCases();

/** What a client's member fold leaves (name and handles, last applied wins), as lib/store does. */
function foldMembers(ops: AcceptedOp[]): Map<string, { name: string; handles: unknown }> {
  const out = new Map<string, { name: string; handles: unknown }>();
  for (const o of ops) {
    if (o.type !== 'member') continue;
    const old = out.get(o.actor);
    out.set(o.actor, { name: o.name ?? old?.name ?? '', handles: o.handles ?? old?.handles ?? [] });
  }
  return out;
}

/** Everything a client folds from a log, in comparable form. */
function folded(ops: AcceptedOp[], managers: Set<string>, leaseMs: number) {
  const sorted = [...ops].sort((a, b) => a.seq - b.seq);
  return {
    endorsements: Object.fromEntries(foldEndorsements(sorted)),
    observations: Object.fromEntries(foldObservations(sorted)),
    claims: Object.fromEntries(foldClaims(sorted, { leaseMs, isManager: (m) => managers.has(m) })),
    members: Object.fromEntries(foldMembers(sorted)),
  };
}

for (const c of cases) {
  (c.skip ? describe.skip : describe)(`sync server on ${c.name}`, () => {
    if (c.fail) {
      it('has its database', () => {
        throw new Error(c.fail);
      });
      return;
    }
    let backend: Backend;
    let server: TendServer;
    let teamN = 0;
    const newTeam = () => `team-${++teamN}`;

    beforeAll(async () => {
      backend = await c.make();
      server = await serve(backend.url);
    });
    afterAll(async () => {
      await server?.close();
      await backend?.drop();
    });

    /** A team with a manager and two members. */
    async function trio() {
      const team = newTeam();
      const ann = await joinTeam(server, team, 'Ann', 'manager');
      const bob = await joinTeam(server, team, 'Bob');
      const cat = await joinTeam(server, team, 'Cat');
      return { team, ann, bob, cat };
    }

    it('joins with a one-time code and answers with a token, the member and the team', async () => {
      const team = await server.store.resolveTeam(newTeam(), true);
      const { code } = await server.store.createInvite(team.id, 'manager');
      const r = await call<Joined>(server, 'POST', '/v1/join', { body: { code: code.toLowerCase().replace(/-/g, ' '), name: '  Ann ' } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        token: expect.stringMatching(/^tend_/),
        member: { id: expect.stringMatching(/^[a-z0-9]{16}$/), name: 'Ann', role: 'manager' },
        team: { id: team.id, name: team.name, leaseMs: 86_400_000 },
      });
      // One time only; nonsense codes get the same answer.
      expect((await call(server, 'POST', '/v1/join', { body: { code, name: 'Eve' } })).status).toBe(403);
      expect((await call(server, 'POST', '/v1/join', { body: { code: 'NOPE-NOPE', name: 'Eve' } })).body).toMatchObject({ code: 'invalid-code' });
      // Tokens are stored only as hashes.
      const rows = await server.db.q.selectFrom('tokens').select('hash').execute();
      expect(rows.some((row) => row.hash === r.body.token)).toBe(false);
      const me = await call(server, 'GET', '/v1/team', { token: r.body.token });
      expect(me.body).toMatchObject({ team: { id: team.id }, me: { id: r.body.member.id, name: 'Ann', role: 'manager' }, members: [{ id: r.body.member.id, name: 'Ann', role: 'manager', handles: [] }] });
    });

    it('adds a device to the same member through a device invite', async () => {
      const { ann } = await trio();
      const d = await call(server, 'POST', '/v1/devices', { token: ann.token });
      expect(d.status).toBe(200);
      const second = await call<Joined>(server, 'POST', '/v1/join', { body: { code: d.body.code, name: 'whatever' } });
      expect(second.body.member).toEqual(ann.member);
      expect(second.body.token).not.toBe(ann.token);
      expect((await call(server, 'GET', '/v1/team', { token: second.body.token })).body.me.id).toBe(ann.member.id);
      // Leaving from one device forgets only that device's token.
      expect((await call(server, 'DELETE', '/v1/devices/current', { token: second.body.token })).status).toBe(200);
      expect((await call(server, 'GET', '/v1/team', { token: second.body.token })).status).toBe(401);
      expect((await call(server, 'GET', '/v1/team', { token: ann.token })).status).toBe(200);
    });

    it('accepts a push with one ack per op in order, and serves it to pulls with seq, at and actor (none on observations)', async () => {
      const { ann, bob } = await trio();
      const before = await pullAll(server, ann.token);
      const ops = [
        op({ type: 'observe', thread: thread('1'), fields: { title: 'Build fails', replies: 2 } }),
        op({ type: 'endorse', post: post('1', '2'), author: 'dora', viewer: 'bob-on-site', note: 'Clear fix' }),
        op({ type: 'claim', thread: thread('1') }),
      ];
      const results = await push(server, bob.token, ops);
      expect(results).toEqual(ops.map((o) => ({ id: o.id, ok: true, seq: expect.any(Number), at: expect.any(Number) })));
      const seqs = results.map((r) => r.seq);
      expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
      const after = await pullAll(server, ann.token, before.at(-1).seq);
      // Who observed a thread is nobody else's business: observe ops carry no member.
      expect(after).toEqual(ops.map((o, i) => ({ ...o, actor: o.type === 'observe' ? HIDDEN_OBSERVER : bob.member.id, seq: seqs[i], at: results[i].at })));
      // Stored as sent: each key once, seq and at last.
      for (const { body } of await server.store.readOps(bob.team.id, seqs[0] - 1, 3)) {
        expect(JSON.stringify(JSON.parse(body))).toBe(body);
        expect(Object.keys(JSON.parse(body)).slice(-2)).toEqual(['seq', 'at']);
      }
      // Paging: one at a time, with `next` and `more`.
      const page = await call(server, 'GET', `/v1/ops?after=${seqs[0]}&limit=1`, { token: ann.token });
      expect(page.body).toMatchObject({ ops: [{ id: ops[1]!.id }], next: seqs[1], more: true });
      const last = await call(server, 'GET', `/v1/ops?after=${seqs[2]}`, { token: ann.token });
      expect(last.body).toEqual({ ops: [], next: seqs[2], more: false });
    });

    it('gives a repeated op id its original ack (same seq) and stores it once', async () => {
      const { ann, bob } = await trio();
      const claim = op({ type: 'claim', thread: thread('9') });
      const [first] = await push(server, bob.token, [claim]);
      // Later, again, in a batch with itself twice; and a refused op repeats its refusal too.
      const taken = op({ type: 'claim', thread: thread('9') });
      const again = await push(server, ann.token, [taken]);
      expect(again[0]).toMatchObject({ ok: false, code: 'held' });
      const repeat = await push(server, bob.token, [claim, claim]);
      expect(repeat).toEqual([first, first]);
      // Bob releases; Ann's old claim is now repeated: the same refusal, not a fresh judgement.
      await push(server, bob.token, [op({ type: 'release', thread: thread('9'), epoch: 1 })]);
      expect(await push(server, ann.token, [taken])).toEqual(again);
      const log = await pullAll(server, ann.token);
      expect(log.filter((o) => o.id === claim.id)).toHaveLength(1);
      expect(log.filter((o) => o.id === taken.id)).toHaveLength(0);
      // Someone else reusing an id gets a conflict, not Bob's ack.
      expect((await push(server, ann.token, [{ ...claim }]))[0]).toMatchObject({ ok: false, code: 'conflict' });
    });

    it('refuses a claim on a thread someone else holds, naming the holder; handoff by the holder or a manager', async () => {
      const { ann, bob, cat } = await trio();
      const t = thread('claimed');
      expect((await push(server, bob.token, [op({ type: 'claim', thread: t })]))[0].ok).toBe(true);
      const [held] = await push(server, cat.token, [op({ type: 'claim', thread: t })]);
      expect(held).toEqual({ id: expect.any(String), ok: false, code: 'held', reason: 'Bob claimed this first', holder: 'Bob', holderId: bob.member.id });
      // Cat cannot hand Bob's claim off; Ann (manager) can; Bob can hand his own.
      expect((await push(server, cat.token, [op({ type: 'handoff', thread: t, epoch: 1, to: cat.member.id })]))[0]).toMatchObject({ ok: false, code: 'not-holder', holder: 'Bob' });
      expect((await push(server, ann.token, [op({ type: 'handoff', thread: t, epoch: 1, to: cat.member.id })]))[0].ok).toBe(true);
      expect((await push(server, cat.token, [op({ type: 'handoff', thread: t, epoch: 2, to: bob.member.id })]))[0].ok).toBe(true);
      expect((await push(server, bob.token, [op({ type: 'handoff', thread: t, epoch: 3, to: 'nobody' })]))[0]).toMatchObject({ ok: false, code: 'unknown-member' });
      const state = await server.store.state(ann.team.id);
      expect(state.claims.get(`${SITE} claimed`)).toMatchObject({ holder: bob.member.id, epoch: 3, status: 'active' });
    });

    it('refuses an op carrying a stale epoch', async () => {
      const { bob } = await trio();
      const t = thread('epochs');
      await push(server, bob.token, [op({ type: 'claim', thread: t }), op({ type: 'release', thread: t, epoch: 1 }), op({ type: 'claim', thread: t })]);
      const [stale] = await push(server, bob.token, [op({ type: 'release', thread: t, epoch: 1 })]);
      expect(stale).toMatchObject({ ok: false, code: 'stale-epoch' });
      expect((await push(server, bob.token, [op({ type: 'renew', thread: t, epoch: 2 })]))[0].ok).toBe(true);
    });

    it('refuses self-endorsement by the page viewer and by the member’s linked handles', async () => {
      const { bob } = await trio();
      expect((await push(server, bob.token, [op({ type: 'member', handles: [{ site: SITE, handle: 'bobby' }] })]))[0].ok).toBe(true);
      const [linked] = await push(server, bob.token, [op({ type: 'endorse', post: post('1', '1'), author: 'BOBBY', viewer: null })]);
      expect(linked).toMatchObject({ ok: false, code: 'self-endorsement' });
      const [viewer] = await push(server, bob.token, [op({ type: 'endorse', post: post('1', '1'), author: 'other', viewer: 'Other' })]);
      expect(viewer).toMatchObject({ ok: false, code: 'self-endorsement' });
      // The same handle on another site is someone else.
      const [elsewhere] = await push(server, bob.token, [op({ type: 'endorse', post: { site: 'https://github.com', threadId: 'a/b#1', postId: '1' }, author: 'bobby', viewer: null })]);
      expect(elsewhere.ok).toBe(true);
    });

    it('turns a handle linked by two members into a dispute that a manager decides', async () => {
      const { ann, bob, cat } = await trio();
      // Bob links Cat's forum handle before she does: first come is not first served.
      await push(server, bob.token, [op({ type: 'member', handles: [{ site: SITE, handle: 'cathy' }, { site: SITE, handle: 'bobby' }] })]);
      const [contested] = await push(server, cat.token, [op({ type: 'member', name: 'Cathy', handles: [{ site: SITE, handle: 'CATHY ' }] })]);
      expect(contested).toMatchObject({ ok: false, code: 'handle-disputed', reason: expect.stringMatching(/manager decides/) });
      expect(contested.reason).not.toContain('Bob');
      let team = (await call(server, 'GET', '/v1/team', { token: bob.token })).body;
      // Neither has it now; Bob keeps his own; the dispute names both.
      expect(team.members.find((m: any) => m.id === bob.member.id).handles).toEqual([{ site: SITE, handle: 'bobby' }]);
      expect(team.members.find((m: any) => m.id === cat.member.id).handles).toEqual([]);
      expect(team.disputes).toEqual([{ site: SITE, handle: 'cathy', members: [bob.member.id, cat.member.id] }]);
      // The log says so too, so every client's people follow.
      const log = await pullAll(server, ann.token);
      expect(log.filter((o) => o.type === 'member' && o.actor === bob.member.id).at(-1).handles).toEqual([{ site: SITE, handle: 'bobby' }]);
      // While disputed, nobody links it; a member cannot decide.
      expect((await push(server, bob.token, [op({ type: 'member', handles: [{ site: SITE, handle: 'cathy' }] })]))[0]).toMatchObject({ ok: false, code: 'handle-disputed' });
      expect((await call(server, 'POST', '/v1/handles', { token: bob.token, body: { site: SITE, handle: 'cathy', member: bob.member.id } })).status).toBe(403);
      const decided = await call(server, 'POST', '/v1/handles', { token: ann.token, body: { site: SITE, handle: 'cathy', member: cat.member.id } });
      expect(decided.status).toBe(200);
      team = (await call(server, 'GET', '/v1/team', { token: ann.token })).body;
      expect(team.disputes).toEqual([]);
      expect(team.members.find((m: any) => m.id === cat.member.id).handles).toEqual([{ site: SITE, handle: 'cathy' }]);
      const latest = (await pullAll(server, ann.token)).filter((o) => o.type === 'member' && o.actor === cat.member.id).at(-1);
      expect(latest.handles).toEqual([{ site: SITE, handle: 'cathy' }]);
      // Now it is Cat's, Bob linking it starts a new dispute rather than taking it.
      expect((await push(server, bob.token, [op({ type: 'member', handles: [{ site: SITE, handle: 'cathy' }] })]))[0].code).toBe('handle-disputed');
    });

    it('withdraws my own earlier thanks to a handle when I link it', async () => {
      const { ann, bob } = await trio();
      const mine = post('self', '1');
      const theirs = post('self', '2');
      const given = await push(server, bob.token, [
        op({ type: 'endorse', post: mine, author: 'bob-on-forum', viewer: null, note: 'great answer, me' }),
        op({ type: 'endorse', post: theirs, author: 'dora', viewer: null }),
      ]);
      expect(given.every((r) => r.ok)).toBe(true);
      await push(server, bob.token, [op({ type: 'member', handles: [{ site: SITE, handle: 'Bob-On-Forum' }] })]);
      const state = await server.store.state(bob.team.id);
      expect(state.endorsements.get(`${bob.member.id} ${SITE} self 1`)).toMatchObject({ retracted: true });
      expect(state.endorsements.get(`${bob.member.id} ${SITE} self 2`)).toMatchObject({ retracted: false, author: 'dora' });
      // Clients folding the log agree.
      const f = foldEndorsements(await pullAll(server, ann.token));
      expect(f.get(`${bob.member.id} ${SITE} self 1`)).toMatchObject({ retracted: true });
      // And thanking it again is self-endorsement.
      expect((await push(server, bob.token, [op({ type: 'endorse', post: mine, author: 'bob-on-forum', viewer: null })]))[0].code).toBe('self-endorsement');
    });

    it('stamps the actor from the token: nobody acts as someone else', async () => {
      const { ann, bob } = await trio();
      const t = thread('stamp');
      await push(server, ann.token, [op({ type: 'claim', thread: t }, ann.member.id)]);
      // Bob pretends to be Ann to release her claim.
      const [r] = await push(server, bob.token, [op({ type: 'release', thread: t, epoch: 1 }, ann.member.id)]);
      expect(r).toMatchObject({ ok: false, code: 'not-holder' });
      const e = op({ type: 'endorse', post: post('s', '1'), author: 'dora', viewer: null }, ann.member.id);
      await push(server, bob.token, [e]);
      const log = await pullAll(server, ann.token);
      expect(log.find((o) => o.id === e.id).actor).toBe(bob.member.id);
    });

    it('keeps teams completely apart', async () => {
      const one = await trio();
      const two = await trio();
      const shared = op({ type: 'claim', thread: thread('both') });
      expect((await push(server, one.bob.token, [shared]))[0].ok).toBe(true);
      // The same op id and the same thread are independent in another team.
      expect((await push(server, two.cat.token, [shared]))[0].ok).toBe(true);
      const logTwo = await pullAll(server, two.ann.token);
      expect(logTwo.every((o) => [two.ann, two.bob, two.cat].some((m) => m.member.id === o.actor))).toBe(true);
      expect(logTwo.find((o) => o.id === shared.id).actor).toBe(two.cat.member.id);
      // A member of one team cannot touch another team's members or see its roster.
      expect((await call(server, 'DELETE', `/v1/members/${two.bob.member.id}`, { token: one.ann.token })).status).toBe(404);
      const roster = (await call(server, 'GET', '/v1/team', { token: one.ann.token })).body.members.map((m: any) => m.id);
      expect(roster).not.toContain(two.bob.member.id);
      // Sockets get their own team only.
      const live = await openLive(server, two.ann.token, logTwo.at(-1).seq);
      await push(server, one.bob.token, [op({ type: 'observe', thread: thread('x'), fields: { title: 'one' } })]);
      await push(server, two.bob.token, [op({ type: 'observe', thread: thread('x'), fields: { title: 'two' } })]);
      const m = await live.waitFor((msg) => msg.type === 'ops');
      expect(m.ops.map((o: any) => o.fields.title)).toEqual(['two']);
      live.ws.close();
    });

    it('answers bad requests with 4xx and a reason, and stores nothing', async () => {
      const { ann, bob } = await trio();
      const head = (await pullAll(server, ann.token)).length;
      const good = op({ type: 'claim', thread: thread('bad') });
      const cases: [string, Parameters<typeof call>[3], number][] = [
        ['no body', {}, 400],
        ['not JSON', { raw: '{"ops": [' }, 400],
        ['no ops', { body: { op: [good] } }, 400],
        ['ops not a list', { body: { ops: good } }, 400],
        ['too many ops', { body: { ops: Array.from({ length: 501 }, () => good) } }, 400],
        ['too large', { raw: JSON.stringify({ ops: [good], pad: 'x'.repeat(1_100_000) }) }, 413],
        ['no protocol', { body: { ops: [good] }, protocol: null }, 426],
        ['newer protocol', { body: { ops: [good] }, protocol: '2' }, 426],
        ['older protocol', { body: { ops: [good] }, protocol: '0' }, 426],
      ];
      for (const [what, options, status] of cases) {
        const r = await call(server, 'POST', '/v1/ops', { token: bob.token, ...options });
        expect(r.status, what).toBe(status);
        expect(r.body.error, what).toEqual(expect.any(String));
        if (status === 426) {
          expect(r.body.error, what).toMatch(/^update Tend/);
          expect(r.headers.get('tend-protocol')).toBe('1');
        }
      }
      expect((await call(server, 'POST', '/v1/ops', { token: 'tend_nonsense', body: { ops: [good] } })).status).toBe(401);
      expect((await call(server, 'POST', '/v1/join', { body: { code: 'x' } })).status).toBe(400);
      expect((await call(server, 'GET', '/v1/ops?after=-1', { token: bob.token })).status).toBe(400);
      expect((await call(server, 'GET', '/v1/nothing', { token: bob.token })).status).toBe(404);
      // Ops that fail validation are refused one by one, with a reason; a newer op format says "update Tend".
      const results = await push(server, bob.token, [{ ...good, v: 2 }, { ...good, type: 'nonsense' }, { ...good, thread: { site: 'not a site', threadId: '1' } }, { ...good, hlc: '9999999999999:00000:x' }]);
      expect(results.map((r) => r.code)).toEqual(['version', 'invalid', 'invalid', 'clock']);
      expect(results[0].reason).toMatch(/update Tend/);
      expect((await pullAll(server, ann.token)).length).toBe(head);
    });

    it('limits requests per member, across all their devices', async () => {
      const limited = await serve(backend.url, { rateLimit: { perSecond: 1, burst: 3 } });
      try {
        const bob = await joinTeam(limited, newTeam(), 'Bob');
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await call(limited, 'POST', '/v1/ops', { token: bob.token, body: { ops: [] } })).status);
        expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
        expect(statuses.slice(3)).toEqual([429, 429]);
        const r = await call(limited, 'GET', '/v1/team', { token: bob.token });
        expect(r.body).toMatchObject({ code: 'rate-limited' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        // A second device of Bob's shares his allowance.
        const device = await limited.store.createInvite(bob.team.id, 'member', { memberId: bob.member.id });
        const second = await call(limited, 'POST', '/v1/join', { body: { code: device.code, name: 'Bob' } });
        expect((await call(limited, 'GET', '/v1/team', { token: second.body.token })).status).toBe(429);
        // Another member is not held back.
        const cat = await joinTeam(limited, newTeam(), 'Cat');
        expect((await call(limited, 'GET', '/v1/team', { token: cat.token })).status).toBe(200);
      } finally {
        await limited.close();
      }
    });

    it('pushes ops live after a catch-up from the asked sequence, and answers pings', async () => {
      const { ann, bob } = await trio();
      const first = await push(server, bob.token, [op({ type: 'observe', thread: thread('live'), fields: { replies: 1 } })]);
      const live = await openLive(server, ann.token, first[0].seq - 1);
      const caught = await live.waitFor((m) => m.type === 'ops');
      expect(caught).toMatchObject({ after: first[0].seq - 1, next: first[0].seq, ops: [{ seq: first[0].seq, actor: HIDDEN_OBSERVER }] });
      const second = await push(server, bob.token, [op({ type: 'observe', thread: thread('live'), fields: { replies: 2 } }), op({ type: 'claim', thread: thread('live') })]);
      const pushed = await live.waitFor((m) => m.type === 'ops' && m.next === second[1].seq);
      expect(pushed.after).toBe(first[0].seq);
      expect(pushed.ops.map((o: any) => o.seq)).toEqual([second[0].seq, second[1].seq]);
      live.ws.send(JSON.stringify({ type: 'ping' }));
      await live.waitFor((m) => m.type === 'pong');
      // Tickets are single use.
      const t = await call(server, 'POST', '/v1/live-ticket', { token: ann.token });
      expect(t.body).toEqual({ ticket: expect.any(String), expiresIn: 30_000 });
      const wsUrl = `${server.url.replace('http', 'ws')}/v1/live?ticket=${t.body.ticket}`;
      const { default: WebSocket } = await import('ws');
      const ok = new WebSocket(wsUrl);
      await new Promise((resolve, reject) => (ok.once('open', resolve), ok.once('error', reject)));
      ok.close();
      const again = new WebSocket(wsUrl);
      await expect(new Promise((resolve, reject) => (again.once('open', resolve), again.once('error', reject)))).rejects.toThrow(/401/);
      live.ws.close();
    });

    it('revoking a member closes their sockets, stops their token and releases their claims', async () => {
      const { ann, bob, cat } = await trio();
      const t = thread('revoked');
      await push(server, bob.token, [op({ type: 'claim', thread: t })]);
      const live = await openLive(server, bob.token);
      // Only a manager may remove someone else.
      expect((await call(server, 'DELETE', `/v1/members/${bob.member.id}`, { token: cat.token })).status).toBe(403);
      const r = await call(server, 'DELETE', `/v1/members/${bob.member.id}`, { token: ann.token });
      expect(r.body).toEqual({ ok: true, released: 1 });
      expect(await live.closed).toEqual({ code: CLOSE_REVOKED, reason: 'removed from the team' });
      expect((await call(server, 'GET', '/v1/team', { token: bob.token })).status).toBe(401);
      const log = await pullAll(server, ann.token);
      expect(log.at(-1)).toMatchObject({ type: 'release', actor: bob.member.id, thread: t, epoch: 1 });
      // The thread is free: Cat claims it.
      expect((await push(server, cat.token, [op({ type: 'claim', thread: t })]))[0]).toMatchObject({ ok: true });
      const roster = (await call(server, 'GET', '/v1/team', { token: ann.token })).body.members;
      expect(roster.find((m: any) => m.id === bob.member.id)).toMatchObject({ name: 'Bob', active: false });
    });

    it('revoking from another process (the command line) closes sockets too', async () => {
      const { bob } = await trio();
      const live = await openLive(server, bob.token);
      // A second store on the same database, as `npm run server -- revoke` opens.
      const { openDb, parseDatabaseUrl } = await import('../../server/db');
      const { TeamStore } = await import('../../server/team-store');
      const db = await openDb(parseDatabaseUrl(backend.url));
      await new TeamStore(db).revoke(bob.member.id);
      await db.close();
      expect((await live.closed).code).toBe(CLOSE_REVOKED);
    });

    it('lets managers change the lease and nobody else', async () => {
      const { ann, bob } = await trio();
      expect((await call(server, 'PATCH', '/v1/team', { token: bob.token, body: { leaseMs: 3_600_000 } })).status).toBe(403);
      expect((await call(server, 'PATCH', '/v1/team', { token: ann.token, body: { leaseMs: 5 } })).status).toBe(400);
      const r = await call(server, 'PATCH', '/v1/team', { token: ann.token, body: { leaseMs: 3_600_000 } });
      expect(r.body.team.leaseMs).toBe(3_600_000);
      const [claimed] = await push(server, bob.token, [op({ type: 'claim', thread: thread('lease') })]);
      const state = await server.store.state(ann.team.id);
      expect(state.claims.get(`${SITE} lease`)!.expiresAt).toBe(claimed.at + 3_600_000);
      expect((await call(server, 'GET', '/v1/team', { token: bob.token })).body.team.leaseMs).toBe(3_600_000);
    });

    it('erases a member’s personal content and compacts, keeping a fresh client’s state equal to an old one’s', async () => {
      const { ann, bob, cat } = await trio();
      const leaseMs = 86_400_000;
      const managers = new Set([ann.member.id]);
      await push(server, bob.token, [
        op({ type: 'member', name: 'Robert', handles: [{ site: SITE, handle: 'rob' }] }),
        op({ type: 'endorse', post: post('e', '1'), author: 'dora', viewer: null, note: 'SECRET-NOTE-1' }),
        op({ type: 'endorse', post: post('e', '1'), author: 'dora', viewer: null, note: 'SECRET-NOTE-2' }),
        op({ type: 'endorse', post: post('e', '2'), author: 'eve', viewer: null, note: 'SECRET-NOTE-3' }),
        op({ type: 'observe', thread: thread('e'), fields: { title: 'Old title', replies: 1 } }),
        op({ type: 'claim', thread: thread('e') }),
      ]);
      await push(server, cat.token, [
        op({ type: 'endorse', post: post('e', '1'), author: 'dora', viewer: null, note: 'Cat keeps this' }),
        op({ type: 'observe', thread: thread('e'), fields: { title: 'New title' } }),
      ]);
      // An old client has everything so far.
      const old = await pullAll(server, ann.token);
      const cursor = old.at(-1).seq;

      const denied = await call(server, 'DELETE', `/v1/members/${bob.member.id}/data`, { token: cat.token });
      expect(denied.status).toBe(403);
      const erased = await call(server, 'DELETE', `/v1/members/${bob.member.id}/data`, { token: bob.token });
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({ ok: true, retracted: 2 });
      expect(erased.body.dropped).toBeGreaterThanOrEqual(4);

      // The old client pulls what came after; a fresh client pulls everything from zero.
      const oldAll = [...old, ...(await pullAll(server, ann.token, cursor))];
      const fresh = await pullAll(server, cat.token);
      expect(folded(fresh, managers, leaseMs)).toEqual(folded(oldAll, managers, leaseMs));
      expect(fresh.length).toBeLessThan(oldAll.length);
      // Nothing personal of Bob's is left in the log or the roster.
      const text = JSON.stringify(fresh);
      expect(text).not.toMatch(/SECRET-NOTE|Robert|"rob"/);
      expect(text).toContain('Cat keeps this');
      const roster = (await call(server, 'GET', '/v1/team', { token: ann.token })).body.members;
      expect(roster.find((m: any) => m.id === bob.member.id)).toEqual({ id: bob.member.id, name: 'Former member', role: 'member', active: false, handles: [] });
      // Bob's claim was released and his endorsements retracted in the server's state too.
      const state = await server.store.state(ann.team.id);
      expect([...state.endorsements.values()].filter((e) => e.actor === bob.member.id).every((e) => e.retracted && e.note === null)).toBe(true);
      expect(state.claims.get(`${SITE} e`)).toMatchObject({ status: 'released' });
    });

    it('compacts a busy log without changing what any client folds', async () => {
      const { ann, bob, cat } = await trio();
      const managers = new Set([ann.member.id]);
      const base = Date.now() - 60_000;
      const rnd = (() => {
        let s = 7;
        return () => (s = (s * 16807) % 2147483647) / 2147483647;
      })();
      const members = [ann, bob, cat];
      let cursorOld = 0;
      let old: any[] = [];
      for (let round = 0; round < 6; round++) {
        for (const m of members) {
          const ops = Array.from({ length: 15 }, (_, i) => {
            const at = base + Math.floor(rnd() * 50_000);
            const k = String(Math.floor(rnd() * 4));
            const r = rnd();
            if (r < 0.35) return op({ type: 'endorse', post: post(k, String(i % 3)), author: 'zed', viewer: null, note: `n${round}-${i}` }, m.member.id, at);
            if (r < 0.45) return op({ type: 'retract', post: post(k, String(i % 3)) }, m.member.id, at);
            if (r < 0.8) return op({ type: 'observe', thread: thread(k), fields: rnd() < 0.5 ? { replies: i } : { title: `t${i}`, answered: rnd() < 0.5 } }, m.member.id, at);
            if (r < 0.9) return op({ type: 'member', name: `${m.member.name}${i}` }, m.member.id, at);
            return op({ type: 'claim', thread: thread(k) }, m.member.id, at);
          });
          await push(server, m.token, ops);
        }
        if (round === 2) {
          old = await pullAll(server, ann.token);
          cursorOld = old.at(-1).seq;
        }
      }
      const full = await pullAll(server, ann.token);
      expect((await call(server, 'POST', '/v1/compact', { token: bob.token })).status).toBe(403);
      const r = await call(server, 'POST', '/v1/compact', { token: ann.token });
      expect(r.body.dropped).toBeGreaterThan(0);
      const fresh = await pullAll(server, cat.token);
      const middle = [...old, ...(await pullAll(server, ann.token, cursorOld))];
      expect(fresh.length).toBe(r.body.kept);
      expect(folded(fresh, managers, 86_400_000)).toEqual(folded(full, managers, 86_400_000));
      expect(folded(middle, managers, 86_400_000)).toEqual(folded(full, managers, 86_400_000));
      // The server's own state is what the log folds to.
      const state = await server.store.state(ann.team.id);
      const f = folded(fresh, managers, 86_400_000);
      expect(Object.fromEntries(state.endorsements)).toEqual(f.endorsements);
      expect(Object.fromEntries(state.observations)).toEqual(f.observations);
      expect(Object.fromEntries(state.claims)).toEqual(f.claims);
    });

    it('reports health and Prometheus metrics', async () => {
      const h = await call(server, 'GET', '/healthz', { protocol: null });
      expect(h.body).toMatchObject({ ok: true, db: c.name === 'SQLite' ? 'sqlite' : 'postgres' });
      const m = await fetch(`${server.url}/metrics`);
      const text = await m.text();
      expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
      for (const name of ['tend_http_requests_total', 'tend_ops_accepted_total', 'tend_ops_rejected_total', 'tend_live_sockets', 'tend_db_seconds_bucket']) expect(text).toContain(name);
      expect(text).toMatch(/tend_ops_accepted_total \d+/);
    });
  });
}
