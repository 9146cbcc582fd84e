/**
 * What the folds need to know about an op beyond its shape: its kind and its order. Kept apart
 * from the op schemas (`ops.ts`, valibot), so code that only reads stored ops (the pages' read
 * side) loads no validation.
 */
import type { ClaimOp, ClaimOpType, Op, OpHeader } from './ops';

/** Whether an op is about a thread (claims and observations). */
export function isThreadOp(op: Op): op is Op<ClaimOpType | 'observe'> {
  return isClaimOp(op) || op.type === 'observe';
}

/** Whether an op acts on claims. */
export function isClaimOp(op: Op): op is ClaimOp {
  return op.type === 'claim' || op.type === 'renew' || op.type === 'release' || op.type === 'resolve' || op.type === 'handoff';
}

/** Orders two ops for last-writer-wins: by clock, then by id so ties are decided the same everywhere. */
export function compareOps(a: Pick<OpHeader, 'hlc' | 'id'>, b: Pick<OpHeader, 'hlc' | 'id'>): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
