/** The state of a thread for queues and chips, from its claim and what was observed. */
import { isActive, type Claim } from './claims';
import type { Observation } from './observations';

export type ThreadState = 'unclaimed' | 'claimed' | 'resolved' | 'answered';

/** All thread states, in the order the UI lists them. */
export const THREAD_STATES: readonly ThreadState[] = ['unclaimed', 'claimed', 'answered', 'resolved'];

/**
 * Resolved (marked done in Tend) wins; then answered as the site reports it; then a live
 * lease; an expired or released claim counts as unclaimed.
 */
export function threadState(claim: Claim | undefined, obs: Observation | undefined, now: number): ThreadState {
  if (claim?.status === 'resolved') return 'resolved';
  if (obs?.fields.answered?.value) return 'answered';
  if (isActive(claim, now)) return 'claimed';
  return 'unclaimed';
}
