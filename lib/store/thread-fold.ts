/**
 * One thread op folded into the thread's record: its observation or claim, its state, and
 * what it adds to the weekly aggregates. Shared by the store's write and the migration that
 * rebuilds aggregates from stored ops, so both count the same way.
 */
// Narrow domain modules, not its index: the pages' read side loads no op validation.
import { applyClaim, type Claim, type ClaimRules } from '../domain/claims';
import { applyObservation } from '../domain/observations';
import type { AcceptedOp, ClaimOpType } from '../domain/ops';
import { threadKey } from '../domain/refs';
import { threadState } from '../domain/threads';
import type { AggregateBook } from './aggregates';
import type { ThreadRecord } from './schema';

/**
 * Applies a thread op (observe or claim op) to `record` (a fresh one when missing). Returns
 * the new record and claim, or null when the op changes nothing here (a claim op refused
 * under state this device has not seen). `managers` are members whose claims do not count
 * as the community's own.
 */
export function foldThreadOp(
  current: ThreadRecord | undefined,
  claim: Claim | undefined,
  op: AcceptedOp<ClaimOpType | 'observe'>,
  rules: ClaimRules,
  managers: ReadonlySet<string>,
  book: AggregateBook,
): { record: ThreadRecord; claim: Claim | undefined } | null {
  const key = threadKey(op.thread);
  const site = op.thread.site;
  const created = !current;
  const record: ThreadRecord = current
    ? { ...current }
    : { key, site, threadId: op.thread.threadId, observation: null, claim: null, state: 'unclaimed', until: 0, since: op.at, handledAt: 0, firstClaimAt: 0 };
  let nextClaim = claim;
  if (op.type === 'observe') {
    record.observation = applyObservation(record.observation ?? undefined, op);
    const createdAt = record.observation.fields.createdAt?.value;
    if (createdAt !== undefined && createdAt > 0) record.since = createdAt;
  } else {
    const r = applyClaim(claim, op, op.at, rules);
    if (!r.ok) return null;
    nextClaim = r.claim;
    record.claim = r.claim;
    const since = record.since ?? op.at;
    const member = !managers.has(op.actor);
    if (op.type === 'claim' && (!claim || claim.epoch !== r.claim.epoch || claim.status !== 'active' || claim.expiresAt <= op.at)) {
      book.count(site, op.at, 'claims');
      if (member) book.count(site, op.at, 'memberClaims');
      if (!record.firstClaimAt) {
        record.firstClaimAt = op.at;
        book.sample(site, op.at, 'toClaim', op.at - since);
      }
    } else if (op.type === 'resolve' && claim?.status !== 'resolved') {
      book.count(site, op.at, 'resolves');
      if (member) book.count(site, op.at, 'memberResolves');
      book.sample(site, op.at, 'toDone', op.at - since);
    }
  }
  const state = threadState(record.claim ?? undefined, record.observation ?? undefined, op.at);
  record.state = state;
  record.until = state === 'claimed' ? (record.claim?.expiresAt ?? 0) : 0;
  if (created) book.count(site, op.at, 'seen');
  if (state !== 'unclaimed' && !record.handledAt) {
    record.handledAt = op.at;
    book.count(site, op.at, 'handled');
  }
  return { record, claim: nextClaim };
}
