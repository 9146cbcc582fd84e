import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalSite,
  compareHlc,
  createIdGenerator,
  decodeHlc,
  MAX_NOTE_LENGTH,
  OP_ID_PATTERN,
  OpSchema,
  parseOp,
  postKey,
  receiveHlc,
  siteMatchesOrigin,
  tickHlc,
  validate,
} from '../../../lib/domain';
import { claimOp, endorsementOp, observeOp } from './arbitraries';

const id = createIdGenerator();
const base = () => ({ v: 1, id: id(), hlc: '1700000000000:00000:alice', actor: 'alice' });
const post = { site: 'https://meta.discourse.org', threadId: '12483', postId: '2' };

describe('op ids', () => {
  it('are valid and strictly increasing, even within one millisecond', () => {
    const gen = createIdGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 2_000 }, gen);
    expect(ids.every((x) => OP_ID_PATTERN.test(x))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('hybrid logical clock', () => {
  it('ticks forward even when the wall clock goes back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1_600_000_000_000, max: 1_600_000_001_000 }), { minLength: 1, maxLength: 50 }), (times) => {
        let last: string | null = null;
        for (const t of times) {
          const next = tickHlc(last, 'n1', t);
          if (last) expect(compareHlc(next, last)).toBe(1);
          last = next;
        }
      }),
    );
  });

  it('orders local events after every remote timestamp seen, but does not follow a clock far ahead', () => {
    const remote = '1700000000500:00007:n2';
    const merged = receiveHlc('1700000000000:00000:n1', remote, 'n1', 1_700_000_000_100);
    expect(compareHlc(merged, remote)).toBe(1);
    expect(decodeHlc(merged)).toEqual({ ms: 1_700_000_000_500, counter: 8, node: 'n1' });
    const future = receiveHlc(null, '1800000000000:00000:n2', 'n1', 1_700_000_000_000);
    expect(decodeHlc(future).ms).toBe(1_700_000_000_000);
    expect(() => decodeHlc('nope')).toThrow(/malformed/);
  });
});

describe('op validation', () => {
  it('accepts each op type', () => {
    const thread = { site: post.site, threadId: post.threadId };
    const ops = [
      { ...base(), type: 'endorse', post, author: 'sam', viewer: 'alice', note: 'Fixed my build' },
      { ...base(), type: 'retract', post },
      { ...base(), type: 'claim', thread },
      { ...base(), type: 'renew', thread, epoch: 1 },
      { ...base(), type: 'release', thread, epoch: 1 },
      { ...base(), type: 'resolve', thread, epoch: 1 },
      { ...base(), type: 'handoff', thread, epoch: 1, to: 'bob' },
      { ...base(), type: 'observe', thread, fields: { title: 'Help', replies: 3, answered: false, tags: ['x'] } },
      { ...base(), type: 'member', name: 'Alice', handles: [{ site: post.site, handle: 'alice' }] },
    ];
    for (const op of ops) expect(parseOp(op)).toMatchObject({ ok: true });
  });

  it('refuses malformed ops with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...base(), type: 'endorse', post, author: 'sam', viewer: null, note: 'x'.repeat(MAX_NOTE_LENGTH + 1) }, /longer than 280/],
      [{ ...base(), type: 'endorse', post: { ...post, site: 'javascript:alert(1)' }, author: 'sam', viewer: null }, /site/],
      [{ ...base(), type: 'retract', post: { ...post, postId: 'a b' } }, /postId/],
      [{ ...base(), type: 'renew', thread: { site: post.site, threadId: '1' }, epoch: -1 }, /epoch/],
      [{ ...base(), type: 'teleport' }, /type/],
      [{ ...base(), id: 'not-an-id', type: 'claim', thread: { site: post.site, threadId: '1' } }, /op id/],
      [{ ...base(), v: 9, type: 'claim' }, /update Tend/],
      ['just a string', /.+/],
      [null, /.+/],
    ];
    for (const [input, reason] of cases) {
      const r = parseOp(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
  });
});

describe('refs', () => {
  it('folds aliases of one community into one site id', () => {
    expect(canonicalSite('https://old.reddit.com/r/x')).toBe('https://www.reddit.com');
    expect(canonicalSite('https://Reddit.com')).toBe('https://www.reddit.com');
    expect(canonicalSite('https://meta.discourse.org/t/x/1')).toBe('https://meta.discourse.org');
    expect(canonicalSite('https://forum.example.test:8443/')).toBe('https://forum.example.test:8443');
    expect(siteMatchesOrigin('https://www.reddit.com', 'https://old.reddit.com')).toBe(true);
    expect(siteMatchesOrigin('https://github.com', 'https://evil.example')).toBe(false);
    expect(siteMatchesOrigin('https://github.com', 'chrome-extension://abc')).toBe(false);
    expect(() => canonicalSite('file:///etc/passwd')).toThrow();
    expect(postKey(post)).toBe('https://meta.discourse.org 12483 2');
  });
});

describe('parseOp going straight to the op type’s schema', () => {
  const anyJson = fc.oneof(fc.jsonValue(), fc.constantFrom(undefined, '', 'https://x.test', '  dora  ', 'a\u0000b', '\u202eevil'));
  const types = ['endorse', 'retract', 'claim', 'renew', 'release', 'resolve', 'handoff', 'observe', 'site', 'member', 'nope', 'constructor', '__proto__', 'toString'];
  /** Valid ops, then the same with a key changed, removed or added, or the type swapped for another. */
  const mutated = fc
    .tuple(fc.oneof(endorsementOp, observeOp, claimOp), fc.nat(20), anyJson, fc.constantFrom(...types), fc.nat(4))
    .map(([op, at, value, type, how]) => {
      const o: Record<string, unknown> = JSON.parse(JSON.stringify(op));
      const keys = [...Object.keys(o), 'fields', 'note', 'extra', 'epoch', 'to', 'author', 'viewer'];
      const key = keys[at % keys.length]!;
      if (how === 1) o[key] = value;
      else if (how === 2) delete o[key];
      else if (how === 3) o.type = type;
      else if (how === 4) o.post = { ...(o.post as object), postId: value };
      return o;
    });
  it('gives exactly what the whole variant gives: output, or the same reason', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, anyJson), (input) => {
        expect(parseOp(input)).toEqual(validate(OpSchema, input));
      }),
      { numRuns: 3_000, seed: 20_261_202 },
    );
    for (const odd of [null, [], { type: 'claim' }, Object.create({ type: 'claim' }), { type: 7 }]) expect(parseOp(odd)).toEqual(validate(OpSchema, odd));
  });
});
