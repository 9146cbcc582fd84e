/**
 * Hybrid logical clock. A timestamp is physical milliseconds, a counter and the node that
 * made it, encoded so that string order is causal-then-wall-clock order:
 * `<13-digit ms>:<5-digit counter>:<node>`. Last-writer-wins folds compare these strings.
 */

export interface Hlc {
  ms: number;
  counter: number;
  node: string;
}

/**
 * How far ahead of the authority's clock an op's timestamp may be. Devices' wall clocks are
 * often minutes off (phones set by hand, laptops waking from sleep); every device follows the
 * newest timestamp it has seen, so this bounds how far one wrong clock can drag the team's.
 */
export const MAX_DRIFT_MS = 60 * 60_000;

/** An encoded timestamp matches this. */
export const HLC_PATTERN = /^\d{13}:\d{5}:[A-Za-z0-9_-]{1,64}$/;

/** Encodes a timestamp as a sortable string. */
export function encodeHlc(h: Hlc): string {
  return `${String(h.ms).padStart(13, '0')}:${String(h.counter).padStart(5, '0')}:${h.node}`;
}

/** Decodes an encoded timestamp; throws on anything malformed. */
export function decodeHlc(s: string): Hlc {
  if (!HLC_PATTERN.test(s)) throw new Error(`malformed HLC: ${s.slice(0, 80)}`);
  const [ms, counter, node] = s.split(':') as [string, string, string];
  return { ms: Number(ms), counter: Number(counter), node };
}

/** Orders two encoded timestamps. */
export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The next local timestamp after `last` (encoded or null), at wall time `now`.
 * Pure: the caller persists the result, so the clock survives a worker restart.
 */
export function tickHlc(last: string | null, node: string, now: number): string {
  const prev = last ? decodeHlc(last) : { ms: 0, counter: 0, node };
  if (now > prev.ms) return encodeHlc({ ms: now, counter: 0, node });
  if (prev.counter >= 99_999) return encodeHlc({ ms: prev.ms + 1, counter: 0, node });
  return encodeHlc({ ms: prev.ms, counter: prev.counter + 1, node });
}

/**
 * Merges a remote timestamp into the local clock, so later local events sort after
 * everything seen. A remote clock far in the future is not followed.
 */
export function receiveHlc(last: string | null, remote: string, node: string, now: number): string {
  const r = decodeHlc(remote);
  const l = last ? decodeHlc(last) : { ms: 0, counter: 0, node };
  if (r.ms - now > MAX_DRIFT_MS) return tickHlc(last, node, now);
  const ms = Math.max(now, l.ms, r.ms);
  let counter = 0;
  if (ms === l.ms && ms === r.ms) counter = Math.max(l.counter, r.counter) + 1;
  else if (ms === l.ms) counter = l.counter + 1;
  else if (ms === r.ms) counter = r.counter + 1;
  if (counter > 99_999) return encodeHlc({ ms: ms + 1, counter: 0, node });
  return encodeHlc({ ms, counter, node });
}
