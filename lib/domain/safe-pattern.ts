/**
 * Regular expressions that come from data (a user's description of a forum, a teammate's
 * shared one) must not be able to freeze a page. JavaScript's engine backtracks, so a pattern
 * like `^(a+)+$` takes exponential time on the wrong input. Tend accepts only a subset whose
 * worst case is bounded and small:
 *
 * - anchored: starts with `^`;
 * - at most 200 characters; literals, `.`, character classes, the usual escapes (`\d \w \s`
 *   and escaped punctuation), `\b`; groups `( )` and `(?: )`;
 * - quantifiers (`* + ? {m} {m,n}`, lazy or not) on single characters or classes only; a
 *   group may only be optional (`?`), never repeated, so nothing repeats a repetition;
 * - no back-references, look-arounds or named groups;
 * - a worst-case cost: the product of what each quantifier and alternation can try, with
 *   open-ended repeats counted at the length of the longest input matched (512), must stay
 *   under four million steps — in practice, at most two open-ended repeats.
 *
 * Inputs longer than `MAX_PATTERN_INPUT` never match.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 200;
/** Longest string a pattern is tried on; longer ones do not match. */
export const MAX_PATTERN_INPUT = 512;
/** Largest worst-case number of steps a pattern may need. */
export const MAX_PATTERN_COST = 4_000_000;
/** Largest upper bound of a `{m,n}` repeat. */
const MAX_BOUNDED_REPEAT = 100;

/** Why a pattern is refused, or null when it is safe. */
export function patternProblem(source: string): string | null {
  if (typeof source !== 'string' || source.length === 0) return 'the pattern is empty';
  if (source.length > MAX_PATTERN_LENGTH) return `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  if (source[0] !== '^') return 'the pattern must start with ^ (it matches from the start)';
  let cost: number;
  try {
    cost = new Parser(source.slice(1)).parse();
  } catch (e) {
    return e instanceof PatternError ? e.message : 'the pattern cannot be read';
  }
  if (cost > MAX_PATTERN_COST) return 'the pattern could take too long on some text: use at most two open-ended repeats (* + {n,}), and prefer [^/]+ to .*';
  try {
    new RegExp(source, 'u');
  } catch (e) {
    return `not a regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

/** A compiled safe pattern; `null` when the source is refused. */
export function compilePattern(source: string): RegExp | null {
  return patternProblem(source) === null ? new RegExp(source, 'u') : null;
}

/**
 * The value a safe pattern takes from `input`: its first capturing group, or the whole match
 * when it has none. Null when it does not match or the input is too long.
 */
export function matchPattern(pattern: RegExp, input: string): string | null {
  if (input.length > MAX_PATTERN_INPUT) return null;
  const m = pattern.exec(input);
  if (!m) return null;
  return m.length > 1 ? (m.slice(1).find((g) => g !== undefined) ?? null) : m[0];
}

class PatternError extends Error {}

/** A recursive-descent reader of the accepted subset that returns its worst-case cost. */
class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): number {
    const cost = this.alternation();
    if (this.i < this.s.length) throw new PatternError(`unexpected "${this.s[this.i]}" in the pattern`);
    return cost;
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  /** `seq | seq | …`: the alternatives add up. */
  private alternation(): number {
    let total = this.sequence();
    while (this.peek() === '|') {
      this.i++;
      total += this.sequence();
    }
    return total;
  }

  /** Items one after another: their costs multiply. */
  private sequence(): number {
    let cost = 1;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return cost;
      cost *= this.item();
      if (cost > MAX_PATTERN_COST * 1_000) throw new PatternError('the pattern could take too long on some text: use at most two open-ended repeats (* + {n,}), and prefer [^/]+ to .*');
    }
  }

  private item(): number {
    const c = this.peek()!;
    if (c === '(') {
      const inner = this.group();
      const q = this.quantifier();
      if (q === null) return inner;
      if (q.kind !== 'optional') throw new PatternError('a group may be optional (?) but not repeated: repeat single characters or classes instead');
      return inner * 2;
    }
    if (c === '$') {
      this.i++;
      if (this.i !== this.s.length) throw new PatternError('$ may only end the pattern');
      return 1;
    }
    if (c === '^') throw new PatternError('^ may only start the pattern');
    this.atom();
    const q = this.quantifier();
    if (q === null) return 1;
    if (q.kind === 'optional') return 2;
    if (q.kind === 'open') return MAX_PATTERN_INPUT;
    return q.span;
  }

  private group(): number {
    this.i++; // (
    if (this.peek() === '?') {
      if (this.s[this.i + 1] !== ':') throw new PatternError('look-arounds and named groups are not allowed: use ( ) or (?: )');
      this.i += 2;
    }
    const cost = this.alternation();
    if (this.peek() !== ')') throw new PatternError('a group is not closed');
    this.i++;
    return cost;
  }

  private atom(): void {
    const c = this.peek()!;
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape(false);
    if ('*+?{'.includes(c)) throw new PatternError(`"${c}" repeats nothing`);
    if (c === '}' || c === ']') throw new PatternError(`unexpected "${c}"`);
    this.i++;
  }

  private escape(inClass: boolean): void {
    const next = this.s[this.i + 1];
    if (next === undefined) throw new PatternError('the pattern ends with \\');
    if (/[1-9k]/.test(next)) throw new PatternError('back-references are not allowed');
    if (/[dDwWsS]/.test(next) || (!inClass && next === 'b') || /[\\^$.|?*+()[\]{}\/-]/.test(next) || /[ntrf]/.test(next)) {
      this.i += 2;
      return;
    }
    throw new PatternError(`\\${next} is not allowed`);
  }

  private charClass(): void {
    this.i++; // [
    if (this.peek() === '^') this.i++;
    let members = 0;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new PatternError('a character class is not closed');
      if (c === ']' && members > 0) {
        this.i++;
        return;
      }
      if (c === '[') throw new PatternError('nested character classes are not allowed');
      if (c === '\\') this.escape(true);
      else this.i++;
      members++;
    }
  }

  private quantifier(): { kind: 'optional' } | { kind: 'open' } | { kind: 'bounded'; span: number } | null {
    const c = this.peek();
    let q: { kind: 'optional' } | { kind: 'open' } | { kind: 'bounded'; span: number } | null = null;
    if (c === '?') {
      this.i++;
      q = { kind: 'optional' };
    } else if (c === '*' || c === '+') {
      this.i++;
      q = { kind: 'open' };
    } else if (c === '{') {
      const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(this.s.slice(this.i));
      if (!m) throw new PatternError('a repeat must read {m}, {m,} or {m,n}');
      this.i += m[0].length;
      const min = Number(m[1]);
      if (m[2] === undefined) q = { kind: 'bounded', span: 1 };
      else if (m[3] === '') q = { kind: 'open' };
      else {
        const max = Number(m[3]);
        if (max < min) throw new PatternError('a repeat {m,n} needs m ≤ n');
        if (max > MAX_BOUNDED_REPEAT) throw new PatternError(`a repeat may go up to ${MAX_BOUNDED_REPEAT}`);
        q = { kind: 'bounded', span: max - min + 1 };
      }
    }
    if (q && this.peek() === '?') this.i++; // lazy
    if (q && '*+?{'.includes(this.peek() ?? '')) throw new PatternError('a repeat cannot be repeated');
    return q;
  }
}
