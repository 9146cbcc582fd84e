/**
 * Claims ("I'll handle this"): one holder per thread, as an expiring lease. Claims fold in
 * the authority's accepted order; each accepted claim or handoff starts a new epoch (a
 * fencing token) that renew, release, resolve and handoff must match, so an op made against
 * an older lease changes nothing.
 */
import type { AcceptedOp, ClaimOp } from './ops';
import { threadKey, type ThreadRef } from './refs';

/** Default lease length: 24 hours (a team setting). */
export const DEFAULT_LEASE_MS = 24 * 60 * 60 * 1000;

/** The accepted claim state of one thread. */
export interface Claim {
  key: string;
  thread: ThreadRef;
  /** `active` only while `expiresAt` is in the future; judge with `isActive`. */
  status: 'active' | 'released' | 'resolved';
  /** Current or last holder. */
  holder: string;
  epoch: number;
  /** When the current lease began (ms, authority clock). */
  since: number;
  expiresAt: number;
  /** Who last changed it, and when. */
  by: string;
  at: number;
}

/** What the fold needs to know about the team. */
export interface ClaimRules {
  leaseMs: number;
  /** Managers may hand off a claim they do not hold. */
  isManager: (member: string) => boolean;
}

/** Default rules for solo mode. */
export const SOLO_RULES: ClaimRules = { leaseMs: DEFAULT_LEASE_MS, isManager: () => true };

/** Why a claim op was refused. */
export type ClaimRejection =
  | { code: 'held'; holder: string; expiresAt: number }
  | { code: 'stale-epoch'; epoch: number }
  | { code: 'not-holder'; holder: string }
  | { code: 'not-claimed' }
  | { code: 'expired' };

export type ClaimOutcome = { ok: true; claim: Claim } | { ok: false; rejection: ClaimRejection };

/** Whether a claim holds a live lease at time `now`. */
export function isActive(c: Claim | undefined, now: number): boolean {
  return !!c && c.status === 'active' && c.expiresAt > now;
}

/** A one-line reason for a rejection, with names resolved by the caller. */
export function describeRejection(r: ClaimRejection, name: (member: string) => string = (m) => m): string {
  switch (r.code) {
    case 'held':
      return `${name(r.holder)} claimed this first`;
    case 'stale-epoch':
      return 'this claim changed since you last saw it';
    case 'not-holder':
      return `${name(r.holder)} holds this claim, not you`;
    case 'not-claimed':
      return 'nobody holds this claim';
    case 'expired':
      return 'the claim expired';
  }
}

/**
 * Applies one claim op at authority time `at`. Pure: returns the new state or why the op
 * is refused (refused ops never enter the shared log).
 */
export function applyClaim(current: Claim | undefined, op: ClaimOp, at: number, rules: ClaimRules): ClaimOutcome {
  // The live lease, if any: an expired or released claim counts as nobody's.
  const live = current && isActive(current, at) ? current : undefined;
  const base = {
    key: threadKey(op.thread),
    thread: { site: op.thread.site, threadId: op.thread.threadId },
    by: op.actor,
    at,
  };
  const lease = (holder: string, epoch: number): Claim => ({
    ...base,
    status: 'active',
    holder,
    epoch,
    since: at,
    expiresAt: at + rules.leaseMs,
  });

  if (op.type === 'claim') {
    if (live && live.holder !== op.actor) {
      return { ok: false, rejection: { code: 'held', holder: live.holder, expiresAt: live.expiresAt } };
    }
    // Claiming again what you hold extends it under the same epoch.
    if (live) return { ok: true, claim: { ...live, ...base, expiresAt: at + rules.leaseMs } };
    return { ok: true, claim: lease(op.actor, (current?.epoch ?? 0) + 1) };
  }

  const epoch = current?.epoch ?? 0;
  if (op.epoch !== epoch) return { ok: false, rejection: { code: 'stale-epoch', epoch } };

  if (op.type === 'resolve') {
    // Anyone may mark done a question nobody holds; a held one only its holder.
    if (live && live.holder !== op.actor) return { ok: false, rejection: { code: 'not-holder', holder: live.holder } };
    return {
      ok: true,
      claim: { ...base, status: 'resolved', holder: current?.holder ?? op.actor, epoch, since: current?.since ?? at, expiresAt: at },
    };
  }

  if (!current || current.status !== 'active') return { ok: false, rejection: { code: 'not-claimed' } };
  if (!live) return { ok: false, rejection: { code: 'expired' } };

  switch (op.type) {
    case 'renew':
    case 'release':
      if (live.holder !== op.actor) return { ok: false, rejection: { code: 'not-holder', holder: live.holder } };
      return op.type === 'renew'
        ? { ok: true, claim: { ...live, ...base, expiresAt: at + rules.leaseMs } }
        : { ok: true, claim: { ...live, ...base, status: 'released', expiresAt: at } };
    case 'handoff':
      if (live.holder !== op.actor && !rules.isManager(op.actor)) {
        return { ok: false, rejection: { code: 'not-holder', holder: live.holder } };
      }
      return { ok: true, claim: lease(op.to, epoch + 1) };
  }
}

/** Folds accepted claim ops (in accepted order) into claims by thread key; refused ops change nothing. */
export function foldClaims(accepted: Iterable<AcceptedOp>, rules: ClaimRules): Map<string, Claim> {
  const out = new Map<string, Claim>();
  for (const op of accepted) {
    if (op.type !== 'claim' && op.type !== 'renew' && op.type !== 'release' && op.type !== 'resolve' && op.type !== 'handoff') continue;
    const key = threadKey(op.thread);
    const r = applyClaim(out.get(key), op, op.at, rules);
    if (r.ok) out.set(key, r.claim);
  }
  return out;
}

/** A claim as shown: the accepted state with this member's pending ops laid on top. */
export interface ClaimView {
  claim: Claim | undefined;
  /** Ops of mine the authority has not answered yet, in the order they were made. */
  pending: ClaimOp[];
}

/**
 * Lays pending (unacknowledged) local ops over the accepted state, judged at `now`.
 * A pending op that would be refused leaves the state as it is, still listed as pending.
 */
export function withPending(accepted: Claim | undefined, pending: readonly ClaimOp[], now: number, rules: ClaimRules): ClaimView {
  let claim = accepted;
  for (const op of pending) {
    const r = applyClaim(claim, op, now, rules);
    if (r.ok) claim = r.claim;
  }
  return { claim, pending: [...pending] };
}
