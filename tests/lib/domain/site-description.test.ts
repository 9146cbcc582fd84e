import { describe, expect, it } from 'vitest';
import { MAX_DESCRIPTION_CHARS, parseSiteDescription, selectorsOf } from '../../../lib/domain/site-description';
import { brambleDescription } from '../../fixtures/bramble/description';

const good = () => brambleDescription('https://bramble.example.net');

describe('site descriptions', () => {
  it('accepts a description as the editor writes it, and lists its selectors', () => {
    const r = parseSiteDescription(good());
    expect(r).toMatchObject({ ok: true });
    expect(selectorsOf(good()).map((s) => s.path)).toEqual(
      expect.arrayContaining(['thread.container', 'thread.title.selector', 'posts.item', 'posts.author.selector', 'list.row', 'viewer.selector', 'observe']),
    );
  });

  it('refuses anything that could run code, freeze a page or is not a description, with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...good(), posts: { ...good().posts!, item: 'x'.repeat(301) } }, /posts\.item.*longer than 300/],
      [{ ...good(), posts: { ...good().posts!, item: 'section:has(b)' } }, /:has\(\)/],
      [{ ...good(), posts: { ...good().posts!, item: 'section { color: red }' } }, /braces/],
      [{ ...good(), thread: { ...good().thread!, id: { from: 'url', pattern: '^(a+)+$' } } }, /thread\.id.*repeated/],
      [{ ...good(), thread: { ...good().thread!, id: { from: 'url', pattern: '\\d+' } } }, /must start with \^/],
      [{ ...good(), posts: { ...good().posts!, id: { attr: 'on click' } } }, /not an attribute name/],
      [{ ...good(), origins: ['javascript:alert(1)'] }, /origin/],
      [{ ...good(), script: 'alert(1)' }, /script/],
      [{ ...good(), posts: { ...good().posts!, onload: 'x' } }, /onload/],
      [{ ...good(), version: 2 }, /newer Tend.*update Tend/],
      [{ version: 1, name: 'empty', origins: ['https://x.example'] }, /at least the thread, its posts or a list/],
      [{ ...good(), name: 'x'.repeat(30_000) }, new RegExp(`larger than ${MAX_DESCRIPTION_CHARS}`)],
      ['a string', /object/i],
      [null, /object/i],
    ];
    for (const [input, why] of cases) {
      const r = parseSiteDescription(input);
      expect(r.ok, JSON.stringify(input).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(why);
    }
  });
});
