/**
 * The server's settings from its environment (`TEND_*` variables), each read and checked in
 * one place so a typo stops the server at start with the variable's name, rather than
 * quietly running with a default.
 */
import { BlockList, isIP } from 'node:net';

/** A request allowance: a burst, refilled at a sustained rate. */
export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once. */
  burst: number;
}

/** Names for address ranges, as proxies are usually described. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * `TEND_RATE_LIMIT` (per member) or `TEND_JOIN_RATE_LIMIT` (per client address): unset →
 * the default; `off`; `N` per second; `N/BURST`.
 */
export function parseRateLimit(name: string, value: string | undefined): RateLimit | false | undefined {
  if (!value?.trim()) return undefined;
  if (value.trim() === 'off' || value.trim() === '0') return false;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(value.trim());
  if (!m || Number(m[1]) <= 0) throw new Error(`${name} must be off, N or N/BURST, not ${value}`);
  const perSecond = Number(m[1]);
  return { perSecond, burst: m[2] ? Math.max(1, Number(m[2])) : Math.max(1, Math.ceil(perSecond * 3)) };
}

/**
 * A comma-separated list of addresses and CIDR ranges (or `loopback`, `linklocal`,
 * `uniquelocal`), as `TEND_TRUST_PROXY` and `TEND_METRICS_ALLOW` take them. Unset → undefined;
 * `none` or `off` → an empty list.
 */
export function parseAddressList(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined || !value.trim()) return undefined;
  if (/^(none|off|false)$/i.test(value.trim())) return [];
  const out: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (NAMED_RANGES[raw]) {
      out.push(...NAMED_RANGES[raw]);
      continue;
    }
    const [address, bits, extra] = raw.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      throw new Error(`${name}: ${raw} is not an address, a CIDR range or one of ${Object.keys(NAMED_RANGES).join(', ')}`);
    }
    out.push(raw);
  }
  return out;
}

/** Whether an address is in a list from `parseAddressList` (IPv4-mapped IPv6 counts as IPv4). */
export function addressMatcher(list: readonly string[]): (address: string | undefined) => boolean {
  const blocks = new BlockList();
  for (const entry of list) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) blocks.addAddress(address, type);
    else blocks.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const type = isIP(plain) === 6 ? 'ipv6' : isIP(plain) === 4 ? 'ipv4' : undefined;
    return type ? blocks.check(plain, type) : false;
  };
}

/** A whole number from the environment within bounds, or the default when unset. */
export function parseCount(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !value.trim()) return fallback;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  return n;
}

/** How SQLite syncs a commit to disk: `full` (the default: an acknowledged push survives power loss) or `normal`. */
export type SqliteSync = 'full' | 'normal';

/** `TEND_SQLITE_SYNC`: `full` (default) or `normal`. */
export function parseSqliteSync(value: string | undefined): SqliteSync {
  const v = value?.trim().toLowerCase();
  if (!v) return 'full';
  if (v === 'full' || v === 'normal') return v;
  throw new Error(`TEND_SQLITE_SYNC must be full or normal, not ${value}`);
}
