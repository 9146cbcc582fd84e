/**
 * The Reddit adapter on the project's pages: today's front-end, old Reddit and the 2019–2022
 * redesign are one community with one set of keys; nested replies are posts; authors come from
 * the markup or the page's own embedded data, never guessed; ads are not threads; nothing is
 * read while the address and the page disagree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalSite } from '../../../lib/domain/refs';
import { readPage } from '../../../lib/sites';
import { isRedditHost, parseThreadPath, reddit } from '../../../lib/sites/reddit';
import { RD_POST, REDDIT_FIXTURES, rdComments, redesignThread, shredditThread } from '../../fixtures/reddit/generate';
import { closePages, parsePage } from './load-page';

afterAll(closePages);

const read = (name: string, url?: string) => {
  const f = REDDIT_FIXTURES[name]!;
  return readPage(parsePage(f.html(), url ?? f.url), new URL(url ?? f.url))!;
};

describe('Reddit hosts and keys', () => {
  it('old and new hosts are one community', () => {
    for (const host of ['reddit.com', 'www.reddit.com', 'old.reddit.com', 'new.reddit.com', 'np.reddit.com', 'sh.reddit.com']) {
      expect(isRedditHost(host), host).toBe(true);
      expect(canonicalSite(`https://${host}`)).toBe('https://www.reddit.com');
    }
    for (const host of ['reddit.com.evil.test', 'notreddit.com', 'a.b.reddit.com', 'redditmedia.com']) expect(isRedditHost(host), host).toBe(false);
    expect(read('thread-old.html').site).toBe(read('thread-shreddit.html').site);
  });

  it('reads thread addresses of every shape back into one thread', () => {
    const base = new URL('https://www.reddit.com/');
    expect(parseThreadPath('/r/tenddemo/comments/1abc2de/some_slug/', base)).toEqual({ sub: 'r/tenddemo', id: '1abc2de', slug: 'some_slug' });
    expect(parseThreadPath('/r/tenddemo/comments/1abc2de/comment/ka01aaa/', base)).toEqual({ sub: 'r/tenddemo', id: '1abc2de', slug: null });
    expect(parseThreadPath('https://old.reddit.com/comments/1ABC2DE', base)).toEqual({ sub: null, id: '1abc2de', slug: null });
    for (const bad of ['/r/tenddemo/', '/r/tenddemo/comments/', '/r/x/comments/not-base36/', 'https://evil.test/r/x/comments/1abc/']) expect(parseThreadPath(bad, base), bad).toBeNull();
  });

  it('the same thread on today\'s front-end and on old Reddit: the same keys, authors and addresses', () => {
    const a = read('thread-shreddit.html');
    const b = read('thread-old.html');
    expect(b.threads[0]).toMatchObject({ threadId: a.threads[0]!.threadId, url: a.threads[0]!.url, author: a.threads[0]!.author, replies: a.threads[0]!.replies });
    expect(b.posts).toEqual(a.posts);
    // Nested replies are posts, each by its own author; the deleted comment is none.
    expect(a.posts.map((p) => [p.postId, p.author])).toEqual([
      ['t3_1abc2de', 'quill_ada'],
      ['t1_ka01aaa', 'brookside'],
      ['t1_ka01aab', 'quill_ada'],
      ['t1_ka01aac', 'cy_rus'],
      ['t1_ka01aae', 'cy_rus'],
    ]);
  });
});

describe('Reddit authors and viewers', () => {
  it('takes authors the redesign\'s markup leaves out from its embedded data, and never invents one', () => {
    const r = read('thread-2022.html');
    expect(r.threads[0]!.author).toBe('quill_ada');
    expect(r.posts.map((p) => [p.postId, p.author])).toEqual([
      ['t3_1abc2de', 'quill_ada'],
      ['t1_ka01aaa', 'brookside'],
      ['t1_ka01aae', 'cy_rus'],
    ]);
    // Without the embedded data, only the author the markup shows.
    const bare = REDDIT_FIXTURES['thread-2022.html']!.html().replace(/<script id="data">[\s\S]*?<\/script>/, '');
    const url = REDDIT_FIXTURES['thread-2022.html']!.url;
    const r2 = readPage(parsePage(bare, url), new URL(url))!;
    expect(r2.posts.map((p) => p.postId)).toEqual(['t1_ka01aaa']);
    expect(r2.threads[0]).not.toHaveProperty('author');
  });

  it('ignores embedded data that is damaged, huge, or says nothing usable', () => {
    const url = REDDIT_FIXTURES['thread-2022.html']!.url;
    const base = redesignThread(RD_POST, [{ id: 'ka01aae', author: 'cy_rus', shown: false }]);
    for (const data of ['window.___r = {broken', `window.___r = ${JSON.stringify({ comments: { models: { t1_ka01aae: { author: ['x'] } } } })};`, `window.___r = ${JSON.stringify({ comments: { models: { t1_ka01aae: { author: '[deleted]' } } } })};`, `window.___r = {"a":"${'x'.repeat(6_100_000)}"};`]) {
      const html = base.replace(/(<script id="data">)[\s\S]*?(<\/script>)/, `$1${data}$2`);
      const r = readPage(parsePage(html, url), new URL(url))!;
      expect(r.posts).toEqual([]);
    }
  }, 60_000);

  it('finds the signed-in user on every front-end, and none when logged out', () => {
    expect(read('thread-shreddit.html').viewer).toBe('brookside');
    expect(read('thread-old.html').viewer).toBe('brookside');
    expect(read('thread-2022.html').viewer).toBe('brookside');
    const out = shredditThread(RD_POST, rdComments(2), {});
    expect(readPage(parsePage(out, REDDIT_FIXTURES['thread-shreddit.html']!.url), new URL(REDDIT_FIXTURES['thread-shreddit.html']!.url))!.viewer).toBeNull();
  });
});

describe('Reddit listings and pages in between', () => {
  it('listings: every post a row, ads left out, on all three front-ends', () => {
    for (const name of ['listing-shreddit.html', 'listing-old.html', 'listing-2022.html']) {
      const r = read(name);
      expect(r.threads.map((t) => [t.threadId, t.replies, t.author]), name).toEqual([
        ['t3_1abc2de', 6, 'quill_ada'],
        ['t3_1abc2df', 41, 'AutoModerator'],
        ['t3_1abc2dg', 0, 'cy_rus'],
      ]);
      expect(r.posts).toEqual([]);
    }
  });

  it('reads no thread and no post while the address names another thread than the page shows', () => {
    const r = read('thread-shreddit.html', 'https://www.reddit.com/r/tenddemo/comments/9zzzzzz/other/');
    expect(r.threads).toEqual([]);
    expect(r.posts).toEqual([]);
    expect(reddit.detect(parsePage('<p>', 'https://reddit.com.evil.test/'), new URL('https://reddit.com.evil.test/r/x/comments/1abc/'))).toBe(false);
  });
});
