/**
 * Site descriptions shared with the team: a manager publishes how to read a forum, and the
 * newest description per origin wins (last writer by clock, so the fold is order-insensitive
 * and the same on every device and on the server).
 */
import { compareOps } from './op-kinds';
import type { Op } from './ops';
import type { SiteDescription } from './site-description';

/** The team's description of one origin (null: taken back). */
export interface SharedSite {
  origin: string;
  description: SiteDescription | null;
  /** Who published it. */
  actor: string;
  hlc: string;
  opId: string;
}

/** The team's descriptions by origin. */
export type TeamSites = Record<string, SharedSite>;

/** Applies a `site` op: it wins when newer than what is there; otherwise the same object comes back. */
export function applySite(current: SharedSite | undefined, op: Op<'site'>): SharedSite {
  if (current && compareOps({ hlc: current.hlc, id: current.opId }, op) >= 0) return current;
  return { origin: op.origin, description: op.description, actor: op.actor, hlc: op.hlc, opId: op.id };
}
