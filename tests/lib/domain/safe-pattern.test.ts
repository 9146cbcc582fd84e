import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_INPUT, compilePattern, matchPattern, patternProblem } from '../../../lib/domain/safe-pattern';

describe('safe patterns', () => {
  it('accepts the anchored patterns descriptions need', () => {
    for (const p of ['^/t/[^/]+/(\\d+)', '^post_(\\d+)$', '^/thread/(\\d+)', '^[^#]*#post-(\\d+)$', '^(?:https?://[^/]+)?/q/(\\d+)', '^e-(\\d+)$', '^\\/viewtopic\\.php\\?t=(\\d+)', '^.*\\D(\\d+)', '^[^@]*@([^\\s@]+)', '^(?:a|b|c)x{2,5}(y)?$']) {
      expect(patternProblem(p), p).toBeNull();
    }
  });

  it('refuses patterns that can take exponential or huge polynomial time', () => {
    const cases: [string, RegExp][] = [
      ['^(a+)+$', /repeated/],
      ['^(a|a)*$', /repeated/],
      ['^(?:\\d+)*x', /repeated/],
      ['^(a*)*b', /repeated/],
      ['^\\d*\\d*\\d*\\d*x', /too long/],
      ['^.*.*.*$', /too long/],
      ['^a**', /repeat cannot be repeated|repeats nothing/],
    ];
    for (const [p, why] of cases) expect(patternProblem(p), p).toMatch(why);
  });

  it('refuses what it cannot bound or read, with a reason', () => {
    expect(patternProblem('post_(\\d+)')).toMatch(/must start with \^/);
    expect(patternProblem(`^${'a'.repeat(200)}`)).toMatch(/longer than 200/);
    expect(patternProblem('^(?=a)a')).toMatch(/look-arounds/);
    expect(patternProblem('^(?<id>\\d+)')).toMatch(/look-arounds and named groups/);
    expect(patternProblem('^(a)\\1')).toMatch(/back-references/);
    expect(patternProblem('^a{1,500}')).toMatch(/up to 100/);
    expect(patternProblem('^(a')).toMatch(/not closed/);
    expect(patternProblem('^[a-')).toMatch(/not closed/);
    expect(patternProblem('^a$b')).toMatch(/\$ may only end/);
    expect(patternProblem('^\\p{L}')).toMatch(/not allowed/);
    expect(patternProblem('')).toMatch(/empty/);
    expect(compilePattern('^(a+)+$')).toBeNull();
  });

  it('takes the first group, or the whole match, and never looks at overlong input', () => {
    const re = compilePattern('^/t/[^/]+/(\\d+)')!;
    expect(matchPattern(re, '/t/some-title/42')).toBe('42');
    expect(matchPattern(compilePattern('^post_\\d+$')!, 'post_7')).toBe('post_7');
    expect(matchPattern(compilePattern('^(?:x(\\d+)|y(\\d+))$')!, 'y9')).toBe('9');
    expect(matchPattern(re, `/t/${'a'.repeat(MAX_PATTERN_INPUT)}/42`)).toBeNull();
    expect(matchPattern(re, '/u/someone')).toBeNull();
  });

  it('runs every accepted pattern on the longest input quickly enough to be bounded', () => {
    // Random patterns from the accepted grammar: whatever they are, a match on the longest
    // input takes bounded work (measured as steps through the budget, not as time).
    const atom = fc.constantFrom('a', 'b', '\\d', '[^/]', '.', '[ab]', '\\w');
    const quant = fc.constantFrom('', '', '?', '*', '+', '{0,3}');
    const item = fc.tuple(atom, quant).map(([a, q]) => a + q);
    const group = fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => `(?:${xs.join('')})?`);
    const pattern = fc.array(fc.oneof(item, group), { minLength: 1, maxLength: 8 }).map((xs) => `^${xs.join('')}$`);
    let accepted = 0;
    fc.assert(
      fc.property(pattern, fc.constantFrom('a', 'ab', '1', '/'), (p, ch) => {
        if (patternProblem(p) !== null) return;
        accepted++;
        const started = Date.now();
        matchPattern(compilePattern(p)!, `${ch.repeat(MAX_PATTERN_INPUT - 1)}!`);
        // Generous: a catastrophic pattern would take seconds to centuries here.
        expect(Date.now() - started).toBeLessThan(2_000);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
