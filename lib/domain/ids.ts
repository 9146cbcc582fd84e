/**
 * Unique, sortable op ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford
 * base32, 26 characters). Ids made by one generator are strictly increasing even within
 * one millisecond, so an outbox sorted by id is in creation order.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An op id matches this. */
export const OP_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function randomDigits(): number[] {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b % 32);
}

/** Makes a monotonic id generator; `now` is injectable for tests. */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let lastMs = -1;
  let lastRandom: number[] = [];
  return () => {
    const ms = Math.max(now(), lastMs);
    if (ms === lastMs) {
      // Increment the random part so ids stay ordered within one millisecond.
      let i = lastRandom.length - 1;
      while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
      if (i < 0) throw new Error('op id space exhausted for this millisecond');
      lastRandom[i]! += 1;
    } else {
      lastMs = ms;
      lastRandom = randomDigits();
    }
    return encodeTime(ms) + lastRandom.map((d) => ALPHABET[d]).join('');
  };
}

/** The process-wide generator. */
export const newOpId = createIdGenerator();
