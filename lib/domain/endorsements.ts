/**
 * Endorsements: at most one per (member, post), last writer wins by clock, so the fold
 * gives the same state whatever order or how often ops arrive.
 */
import type { Op } from './ops';
import { compareOps } from './op-kinds';
import { handleKey, postKey, sameHandle, type PostRef } from './refs';

/** The current endorsement (or its retraction) of one member on one post. */
export interface Endorsement {
  /** `endorsementKey(actor, post)`. */
  key: string;
  actor: string;
  post: PostRef;
  postKey: string;
  /** Post author's handle; empty on a retraction. */
  author: string;
  /** `handleKey(site, author)`: who receives the recognition. Empty on a retraction. */
  authorKey: string;
  note: string | null;
  retracted: boolean;
  /** Clock and id of the op that decided this state. */
  hlc: string;
  opId: string;
}

/** The key of a member's endorsement of a post. */
export function endorsementKey(actor: string, post: PostRef): string {
  return `${actor} ${postKey(post)}`;
}

/**
 * Why an endorse op may not be applied, or null. `actorHandles` are the endorser's linked
 * handles on the post's site (from the team roster), checked as well as the handle the
 * page reported, so nobody thanks themselves.
 */
export function endorseProblem(op: Op<'endorse'>, actorHandles: readonly string[] = []): string | null {
  if (sameHandle(op.viewer, op.author) || actorHandles.some((h) => sameHandle(h, op.author))) {
    return 'you cannot endorse your own post';
  }
  return null;
}

/** The state an endorse or retract op would leave, ignoring what came before. */
function recordOf(op: Op<'endorse' | 'retract'>): Endorsement {
  const endorse = op.type === 'endorse';
  return {
    key: endorsementKey(op.actor, op.post),
    actor: op.actor,
    post: { site: op.post.site, threadId: op.post.threadId, postId: op.post.postId },
    postKey: postKey(op.post),
    author: endorse ? op.author : '',
    authorKey: endorse ? handleKey(op.post.site, op.author) : '',
    note: endorse && op.note ? op.note : null,
    retracted: !endorse,
    hlc: op.hlc,
    opId: op.id,
  };
}

/**
 * Applies one endorse/retract op to the current record for its key. Returns the new
 * record, or `current` unchanged when the op is older (or the same op again).
 */
export function applyEndorsement(current: Endorsement | undefined, op: Op<'endorse' | 'retract'>): Endorsement {
  if (current && compareOps({ hlc: current.hlc, id: current.opId }, op) >= 0) return current;
  return recordOf(op);
}

/** Folds any ops (other types are ignored) into endorsements by key. */
export function foldEndorsements(ops: Iterable<Op>): Map<string, Endorsement> {
  const out = new Map<string, Endorsement>();
  for (const op of ops) {
    if (op.type !== 'endorse' && op.type !== 'retract') continue;
    const key = endorsementKey(op.actor, op.post);
    out.set(key, applyEndorsement(out.get(key), op));
  }
  return out;
}
