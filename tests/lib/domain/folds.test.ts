import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyClaim,
  applyEndorsement,
  endorseProblem,
  foldClaims,
  foldEndorsements,
  foldObservations,
  isActive,
  observationDelta,
  threadState,
  withPending,
  type AcceptedOp,
  type Claim,
  type ClaimOp,
  type ClaimRules,
  type Op,
} from '../../../lib/domain';
import { acceptedClaimSequence, claimOp, endorsementOp, observeOp, opId, SITE } from './arbitraries';

const shuffledWithDuplicates = <T>(items: T[]) =>
  fc.tuple(fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }), fc.subarray(items)).map(([s, d]) => [...s, ...d]);

const asObject = <V>(m: Map<string, V>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('endorsement fold', () => {
  it('gives the same state for the same ops in any order and with duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(endorsementOp, { maxLength: 40 }).chain((ops) => fc.tuple(fc.constant(ops), shuffledWithDuplicates(ops))),
        ([ops, reordered]) => {
          expect(asObject(foldEndorsements(reordered))).toEqual(asObject(foldEndorsements(ops)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps one endorsement per member and post, and a retraction only removes the owner’s', () => {
    const post = { site: SITE, threadId: '1', postId: '2' };
    const e = (actor: string, n: number, note?: string): Op => ({ v: 1, id: opId(n), hlc: `17000000000${n}0:00000:${actor}`, actor, type: 'endorse', post, author: 'dora', viewer: null, ...(note ? { note } : {}) }) as Op;
    const r = (actor: string, n: number): Op => ({ v: 1, id: opId(n), hlc: `17000000000${n}0:00000:${actor}`, actor, type: 'retract', post }) as Op;
    const state = foldEndorsements([e('alice', 10, 'first'), e('alice', 11, 'second'), e('bob', 12), r('bob', 13), r('carol', 14)]);
    const live = [...state.values()].filter((x) => !x.retracted);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ actor: 'alice', note: 'second', authorKey: `${SITE} dora` });
    expect(state.get(`bob ${SITE} 1 2`)?.retracted).toBe(true);
  });

  it('refuses self-endorsement by page handle or linked handle, case-insensitively', () => {
    const op = { v: 1, id: opId(1), hlc: '1700000000000:00000:alice', actor: 'alice', type: 'endorse', post: { site: SITE, threadId: '1', postId: '1' }, author: 'Dora', viewer: 'dora' } as Op<'endorse'>;
    expect(endorseProblem(op)).toMatch(/own post/);
    expect(endorseProblem({ ...op, viewer: null }, ['DORA'])).toMatch(/own post/);
    expect(endorseProblem({ ...op, viewer: 'eve' }, ['eve'])).toBeNull();
  });

  it('ignores an older op arriving after a newer one', () => {
    const newer = { v: 1, id: opId(2), hlc: '1700000000009:00000:alice', actor: 'alice', type: 'retract', post: { site: SITE, threadId: '1', postId: '1' } } as Op<'retract'>;
    const older = { ...newer, id: opId(1), hlc: '1700000000001:00000:alice', type: 'endorse', author: 'dora', viewer: null } as Op<'endorse'>;
    expect(applyEndorsement(applyEndorsement(undefined, newer), older).retracted).toBe(true);
  });
});

describe('observation fold', () => {
  it('gives the same state for the same ops in any order and with duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(observeOp, { maxLength: 40 }).chain((ops) => fc.tuple(fc.constant(ops), shuffledWithDuplicates(ops))),
        ([ops, reordered]) => {
          expect(asObject(foldObservations(reordered))).toEqual(asObject(foldObservations(ops)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports only the fields that changed, and nothing when nothing did', () => {
    const thread = { site: SITE, threadId: '1' };
    const obs = foldObservations([{ v: 1, id: opId(1), hlc: '1700000000000:00000:alice', actor: 'alice', type: 'observe', thread, fields: { title: 'T', replies: 2, tags: ['a', 'b'] } } as Op]).get(`${SITE} 1`);
    expect(observationDelta(obs, { title: 'T', replies: 2, tags: ['a', 'b'] })).toBeNull();
    expect(observationDelta(obs, { title: 'T', replies: 3, answered: true })).toEqual({ replies: 3, answered: true });
    expect(observationDelta(undefined, { title: 'T' })).toEqual({ title: 'T' });
  });
});

describe('claim fold', () => {
  const rules: ClaimRules = { leaseMs: 1_000, isManager: (m) => m === 'carol' };

  it('never yields two holders: a claim on a live lease held by someone else is refused', () => {
    fc.assert(
      fc.property(acceptedClaimSequence(rules.leaseMs), (seq) => {
        const state = new Map<string, Claim>();
        for (const op of seq) {
          const before = state.get(`${SITE} ${(op as AcceptedOp<'claim'>).thread.threadId}`);
          const r = applyClaim(before, op as AcceptedOp<'claim'>, op.at, rules);
          if (op.type === 'claim' && before && isActive(before, op.at) && before.holder !== op.actor) {
            expect(r.ok).toBe(false);
          }
          if (r.ok) {
            // Only the live holder or a manager's handoff can change a live lease.
            if (before && isActive(before, op.at) && op.type !== 'resolve') {
              expect(op.actor === before.holder || (op.type === 'handoff' && rules.isManager(op.actor))).toBe(true);
            }
            state.set(r.claim.key, r.claim);
          }
        }
        expect(asObject(foldClaims(seq, rules))).toEqual(asObject(state));
      }),
      { numRuns: 300 },
    );
  });

  it('an op with a stale epoch changes nothing', () => {
    fc.assert(
      fc.property(acceptedClaimSequence(rules.leaseMs), claimOp, fc.integer({ min: 1, max: 5 }), (seq, extra, delta) => {
        fc.pre(extra.type !== 'claim');
        const state = foldClaims(seq, rules);
        const current = state.get(`${SITE} ${(extra as ClaimOp).thread.threadId}`);
        const stale = { ...extra, epoch: (current?.epoch ?? 0) + delta } as ClaimOp;
        const r = applyClaim(current, stale, 10_000_000, rules);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.rejection.code).toBe('stale-epoch');
      }),
      { numRuns: 300 },
    );
  });

  it('runs a lease through claim, renew, handoff, release and expiry', () => {
    const thread = { site: SITE, threadId: '9' };
    const op = (actor: string, type: string, extra: object = {}): ClaimOp => ({ v: 1, id: opId(), hlc: '1700000000000:00000:x', actor, type, thread, ...extra }) as ClaimOp;
    let c = (applyClaim(undefined, op('alice', 'claim'), 0, rules) as { claim: Claim }).claim;
    expect(c).toMatchObject({ holder: 'alice', epoch: 1, expiresAt: 1_000 });
    expect(applyClaim(c, op('bob', 'claim'), 500, rules)).toMatchObject({ ok: false, rejection: { code: 'held', holder: 'alice' } });
    c = (applyClaim(c, op('alice', 'renew', { epoch: 1 }), 900, rules) as { claim: Claim }).claim;
    expect(c.expiresAt).toBe(1_900);
    expect(applyClaim(c, op('bob', 'handoff', { epoch: 1, to: 'bob' }), 950, rules)).toMatchObject({ ok: false, rejection: { code: 'not-holder' } });
    c = (applyClaim(c, op('carol', 'handoff', { epoch: 1, to: 'bob' }), 950, rules) as { claim: Claim }).claim;
    expect(c).toMatchObject({ holder: 'bob', epoch: 2 });
    expect(applyClaim(c, op('alice', 'release', { epoch: 1 }), 960, rules)).toMatchObject({ ok: false, rejection: { code: 'stale-epoch' } });
    expect(applyClaim(c, op('bob', 'renew', { epoch: 2 }), 5_000, rules)).toMatchObject({ ok: false, rejection: { code: 'expired' } });
    expect(threadState(c, undefined, 1_000)).toBe('claimed');
    expect(threadState(c, undefined, 5_000)).toBe('unclaimed');
    // After expiry anyone may claim, under a new epoch.
    c = (applyClaim(c, op('alice', 'claim'), 5_000, rules) as { claim: Claim }).claim;
    expect(c).toMatchObject({ holder: 'alice', epoch: 3 });
    c = (applyClaim(c, op('alice', 'resolve', { epoch: 3 }), 5_100, rules) as { claim: Claim }).claim;
    expect(threadState(c, undefined, 5_200)).toBe('resolved');
  });

  it('shows pending ops over the accepted state, and the same state once accepted', () => {
    fc.assert(
      fc.property(acceptedClaimSequence(rules.leaseMs), fc.array(claimOp, { maxLength: 5 }), (seq, mine) => {
        const now = (seq.at(-1)?.at ?? 0) + 1;
        const accepted = foldClaims(seq, rules);
        for (const thread of ['1', '2', '3']) {
          const pending = mine.filter((o) => (o as ClaimOp).thread.threadId === thread) as ClaimOp[];
          const view = withPending(accepted.get(`${SITE} ${thread}`), pending, now, rules);
          // Once the authority accepts them in the same order at the same time, the view is the state.
          const after = foldClaims([...seq, ...pending.map((o, i) => ({ ...o, seq: seq.length + i + 1, at: now }) as AcceptedOp)], rules);
          expect(view.claim).toEqual(after.get(`${SITE} ${thread}`));
          expect(view.pending).toHaveLength(pending.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
