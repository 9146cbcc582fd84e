/** fast-check generators of valid ops over a small world, so collisions are frequent. */
import fc from 'fast-check';
import { encodeHlc, type AcceptedOp, type Op, OP_VERSION } from '../../../lib/domain';

export const SITE = 'https://forum.example.test';
export const actors = ['alice', 'bob', 'carol'] as const;
const threads = ['1', '2', '3'];
const posts = ['1', '2'];

let counter = 0;
/** A unique valid op id (ULID alphabet). */
export function opId(n = counter++): string {
  return n.toString(32).toUpperCase().replace(/[ILOU]/g, 'Z').padStart(26, '0');
}

const hlcArb = fc.record({ ms: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_050 }), counter: fc.nat(3), node: fc.constantFrom(...actors) }).map(encodeHlc);
const header = fc.record({ hlc: hlcArb, actor: fc.constantFrom(...actors), n: fc.nat(1_000_000) });
const post = fc.record({ site: fc.constant(SITE), threadId: fc.constantFrom(...threads), postId: fc.constantFrom(...posts) });
const thread = fc.record({ site: fc.constant(SITE), threadId: fc.constantFrom(...threads) });

/** endorse / retract ops. */
export const endorsementOp: fc.Arbitrary<Op> = fc
  .tuple(header, post, fc.boolean(), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), fc.constantFrom('dora', 'eve'))
  .map(([h, p, endorse, note, author]) =>
    endorse
      ? ({ v: OP_VERSION, id: opId(h.n), hlc: h.hlc, actor: h.actor, type: 'endorse', post: p, author, viewer: null, ...(note ? { note } : {}) } as Op)
      : ({ v: OP_VERSION, id: opId(h.n), hlc: h.hlc, actor: h.actor, type: 'retract', post: p } as Op),
  );

/** observe ops touching a few fields. */
export const observeOp: fc.Arbitrary<Op> = fc
  .tuple(header, thread, fc.record({ title: fc.constantFrom('A', 'B'), replies: fc.nat(5), answered: fc.boolean() }, { requiredKeys: [] }))
  .map(([h, t, fields]) => ({ v: OP_VERSION, id: opId(h.n), hlc: h.hlc, actor: h.actor, type: 'observe', thread: t, fields }) as Op);

/** Claim ops with epochs near the real ones, so some match and some are stale. */
export const claimOp: fc.Arbitrary<Op> = fc
  .tuple(header, thread, fc.constantFrom('claim', 'renew', 'release', 'resolve', 'handoff'), fc.nat(3), fc.constantFrom(...actors))
  .map(([h, t, type, epoch, to]) => {
    const base = { v: OP_VERSION, id: opId(h.n), hlc: h.hlc, actor: h.actor, thread: t };
    if (type === 'claim') return { ...base, type } as Op;
    if (type === 'handoff') return { ...base, type, epoch, to } as Op;
    return { ...base, type, epoch } as Op;
  });

/** A sequence of claim ops accepted at increasing authority times (ms apart by up to 2 leases). */
export const acceptedClaimSequence = (leaseMs: number): fc.Arbitrary<AcceptedOp[]> =>
  fc.array(fc.tuple(claimOp, fc.integer({ min: 0, max: leaseMs * 2 })), { maxLength: 60 }).map((items) => {
    let at = 1_000;
    return items.map(([op, gap], i) => {
      at += gap;
      return { ...op, seq: i + 1, at } as AcceptedOp;
    });
  });
