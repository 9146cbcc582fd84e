import { afterAll, describe, expect, it } from 'vitest';
import { bestSelector, cssIdent, looksGenerated, proposeSelectors } from '../../../lib/sites/selector-proposal';
import { suggestIdAttributes, suggestUrlPattern } from '../../../lib/sites/suggest';
import { compilePattern, matchPattern } from '../../../lib/domain/safe-pattern';
import { brambleBoardPage, brambleThreadPage } from '../../fixtures/bramble/generate';
import { closePages, parsePage } from './load-page';

afterAll(closePages);
const thread = { id: 12, title: 'Export my reading list', replies: 5 };

describe('proposing selectors for a picked element', () => {
  it('generalises a picked post to every post, and keeps an author inside its post', () => {
    const doc = parsePage(brambleThreadPage(thread, 6), 'https://bramble.example.net/thread/12/x');
    const post = doc.querySelectorAll('section.entry')[2]!;
    expect(bestSelector(post, { repeated: true })).toBe('section.entry');
    const name = post.querySelector('.who b')!;
    expect(bestSelector(name, { within: post })).toBe('span.who b');
    const all = proposeSelectors(post, { repeated: true });
    for (const c of all) expect(Array.from(doc.querySelectorAll(c.selector)).includes(post)).toBe(true);
    // Narrowest first: "wider" means more matches.
    for (let i = 1; i < all.length; i++) expect(all[i]!.matches).toBeGreaterThanOrEqual(all[i - 1]!.matches);
  });

  it('picks a single element by a unique selector, and leaves out generated names and positions', () => {
    const doc = parsePage(
      `<main><h1 class="title css-1x9f3k2">A thread</h1><div id="ember1234" class="is-active row"><span class="ember-view who">x</span></div></main>`,
      'https://f.example/',
    );
    expect(bestSelector(doc.querySelector('h1')!)).toBe('h1.title');
    const span = doc.querySelector('span')!;
    const all = proposeSelectors(span).map((c) => c.selector);
    expect(all.join(' ')).not.toMatch(/ember|css-|nth-|is-active/);
    expect(looksGenerated('ember1234')).toBe(true);
    expect(looksGenerated('css-1x9f3k2')).toBe(true);
    expect(looksGenerated('topic-title')).toBe(false);
    expect(cssIdent('1st')).toBe('\\31 st');
    expect(cssIdent('a:b')).toBe('a\\:b');
  });
});

describe('first guesses for ids', () => {
  it('finds the thread id in the usual kinds of forum address', () => {
    const cases: [string, string][] = [
      ['https://f.test/t/some-title/123', '123'],
      ['https://f.test/topic/123-title', '123'],
      ['https://f.test/forum/threads/title.123/', '123'],
      ['https://f.test/viewtopic.php?f=2&t=123', '123'],
      ['https://f.test/viewtopic.php?t=123', '123'],
      ['https://f.test/q/77/how-to', '77'],
    ];
    for (const [u, id] of cases) {
      const url = new URL(u);
      const pattern = suggestUrlPattern(url);
      expect(pattern, u).not.toBeNull();
      expect(matchPattern(compilePattern(pattern!)!, `${url.pathname}${url.search}`), u).toBe(id);
    }
    expect(suggestUrlPattern(new URL('https://f.test/latest'))).toBeNull();
  });

  it('offers attributes that differ from post to post, ids first, with a pattern for their number', () => {
    const doc = parsePage(brambleThreadPage(thread, 4), 'https://bramble.example.net/thread/12/x');
    expect(suggestIdAttributes(Array.from(doc.querySelectorAll('section.entry')))).toEqual([{ attr: 'data-entry', pattern: '^e-(\\d+)$', decimal: true, sample: 'e-1001' }]);
    const board = parsePage(brambleBoardPage([thread, { id: 13, title: 'B', replies: 0 }]), 'https://bramble.example.net/board');
    // Rows have no attribute of their own that differs: nothing to offer.
    expect(suggestIdAttributes(Array.from(board.querySelectorAll('li.topic-line')))).toEqual([]);
  });
});
