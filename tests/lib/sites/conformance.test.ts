/**
 * The conformance suite every adapter meets, built-in or described: it never throws on any
 * markup, its output is bounded, every variant of a page gives the same keys, every overlay
 * target is in the read, and (built-in ones) every selector it uses is in its selector table,
 * where each names the fixture it was checked against.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { selectorsOf, type SiteDescription } from '../../../lib/domain/site-description';
import { readPage, type PageRead, type SiteAdapter } from '../../../lib/sites';
import { describedAdapter } from '../../../lib/sites/described';
import { DISCOURSE_DESCRIPTION, discourse } from '../../../lib/sites/discourse';
import { SEL } from '../../../lib/sites/discourse-selectors';
import { GITHUB_DESCRIPTION, github } from '../../../lib/sites/github';
import { GH } from '../../../lib/sites/github-selectors';
import { REDDIT_DESCRIPTION, reddit } from '../../../lib/sites/reddit';
import { RD } from '../../../lib/sites/reddit-selectors';
import { STACKEXCHANGE_DESCRIPTION, stackexchange } from '../../../lib/sites/stackexchange';
import { SE } from '../../../lib/sites/stackexchange-selectors';
import { GITHUB_FIXTURES, ghComments, githubIssueClassic, githubIssueReact, type GhIssue } from '../../fixtures/github/generate';
import { REDDIT_FIXTURES } from '../../fixtures/reddit/generate';
import { STACKEXCHANGE_FIXTURES } from '../../fixtures/stackexchange/generate';
import { MAX_HANDLE, MAX_TITLE, MAX_URL } from '../../../lib/sites/page-text';
import { brambleDescription } from '../../fixtures/bramble/description';
import { brambleBoardPage, brambleThreadPage, brambleThreadPath } from '../../fixtures/bramble/generate';
import { REAL_FIXTURES_PRESENT, realPage } from '../../helpers/real-fixtures';
import { closePages, discourseFixture, parsePage } from './load-page';

afterAll(closePages);

const BRAMBLE = 'https://bramble.example.net';
const thread = { id: 12, title: 'Export my reading list', replies: 3 };

interface Case {
  name: string;
  adapter: SiteAdapter;
  /** Pages it reads, with the address each was served at. */
  pages: () => { name: string; html: string; url: string }[];
  /** Groups of pages that are variants of one page: same keys. */
  variants: { name: string; html: string; url: string }[][];
  /** Words its selectors look for, to build markup that comes close. */
  vocabulary: string[];
  /** Its selector table, for built-in adapters. */
  table?: Record<string, string | readonly string[]>;
  description: SiteDescription;
  maxItems: number;
}

const TOPIC = 'https://forum.example.org/t/rotating-api-keys-without-downtime/4821';

/** The project's pages of a platform, then its real saved pages when they are here. */
const own = (fixtures: Record<string, { html: () => string; url: string }>) => Object.entries(fixtures).map(([name, f]) => ({ name, html: f.html(), url: f.url }));
const real = (pages: [string, string][]) => (REAL_FIXTURES_PRESENT ? pages.map(([file, url]) => ({ name: `real ${file}`, html: realPage(file), url })) : []);

/** One issue, shown by the React view and by the classic timeline: one set of keys. */
const ISSUE: GhIssue = { owner: 'tend-demo', repo: 'widgets', number: 61, title: 'One issue, two views', author: 'octo-ada', state: 'open', id: 3100000001, comments: ghComments(3, 3200000001) };
const ISSUE_URL = 'https://github.com/tend-demo/widgets/issues/61';
const SE_Q = STACKEXCHANGE_FIXTURES['question.html']!;
const RD_THREAD = REDDIT_FIXTURES['thread-shreddit.html']!;
const cases: Case[] = [
  {
    name: 'Discourse (built in)',
    adapter: discourse,
    description: DISCOURSE_DESCRIPTION,
    table: SEL,
    maxItems: 5_000,
    pages: () => [
      { name: 'topic.html', html: discourseFixture('topic.html'), url: TOPIC },
      { name: 'topic-crawler.html', html: discourseFixture('topic-crawler.html'), url: TOPIC },
      { name: 'latest.html', html: discourseFixture('latest.html'), url: 'https://forum.example.org/latest' },
      { name: 'latest-crawler.html', html: discourseFixture('latest-crawler.html'), url: 'https://forum.example.org/latest' },
      { name: 'category.html', html: discourseFixture('category.html'), url: 'https://forum.example.org/c/support/5' },
      ...(REAL_FIXTURES_PRESENT
        ? [
            { name: 'real meta topic 12483', html: realPage('discourse/meta-topic-12483-server-response-2020.html'), url: 'https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483' },
            { name: 'real uipath 421350', html: realPage('discourse/uipath-forum-topic-421350-rendered.html'), url: 'https://forum.uipath.com/t/how-to-run-uipath-studio-and-studiox-on-same-computer/421350' },
            { name: 'real uipath 739028', html: realPage('discourse/uipath-forum-topic-739028-rendered.html'), url: 'https://forum.uipath.com/t/uipath-load-testing/739028' },
          ]
        : []),
    ],
    variants: [
      // The rendered app and the crawler view of one topic, under several of its addresses.
      [
        { name: 'rendered', html: discourseFixture('topic.html'), url: TOPIC },
        { name: 'rendered, post address', html: discourseFixture('topic.html'), url: `${TOPIC}/3?u=bob` },
        { name: 'rendered, id only', html: discourseFixture('topic.html'), url: 'https://forum.example.org/t/4821' },
      ],
    ],
    vocabulary: ['topic-post', 'post_1', 'post_2', 'topic-list-item', 'raw-topic-link', 'cooked', 'names', 'post-menu-area', 'data-topic-id', 'data-user-card', 'topic-title', 'crawler-post', 'fancy-title', 'main-outlet'],
  },
  {
    name: 'GitHub (built in)',
    adapter: github,
    description: GITHUB_DESCRIPTION,
    table: GH,
    maxItems: 5_000,
    pages: () => [
      ...own(GITHUB_FIXTURES),
      ...real([
        ['github/gh-issue-kepano-defuddle-56.html', 'https://github.com/kepano/defuddle/issues/56'],
        ['github/github-issues-list-anthropics-claude-code-2025-09.html', 'https://github.com/anthropics/claude-code/issues'],
      ]),
    ],
    variants: [
      [
        { name: 'React view', html: githubIssueReact(ISSUE, { viewer: 'brook' }), url: ISSUE_URL },
        { name: 'classic timeline', html: githubIssueClassic(ISSUE, { viewer: 'brook' }), url: ISSUE_URL },
        { name: 'React view, comment address', html: githubIssueReact(ISSUE), url: `${ISSUE_URL}#issuecomment-3200000002` },
        { name: 'React view, owner spelt otherwise', html: githubIssueReact(ISSUE), url: 'https://github.com/Tend-Demo/Widgets/issues/61?q=x' },
      ],
      [
        { name: 'pull request', html: GITHUB_FIXTURES['pull.html']!.html(), url: 'https://github.com/tend-demo/widgets/pull/58' },
        { name: 'pull request reached as an issue', html: GITHUB_FIXTURES['pull.html']!.html(), url: 'https://github.com/tend-demo/widgets/issues/58' },
      ],
    ],
    vocabulary: ['react-issue-body', 'react-issue-comment', 'timeline-comment-group', 'discussions-timeline-scroll-target', 'issue-56', 'issuecomment-1', 'discussioncomment-2', 'author', 'js-issue-title', 'gh-header-number', 'js-navigation-item', 'js-navigation-container', 'js-navigation-open', 'markdown-body', 'timeline-comment-actions'],
  },
  {
    name: 'Stack Exchange (built in)',
    adapter: stackexchange,
    description: STACKEXCHANGE_DESCRIPTION,
    table: SE,
    maxItems: 2_000,
    pages: () => [
      ...own(STACKEXCHANGE_FIXTURES),
      ...real([
        ['stackexchange/so-question-2003505-accepted.html', 'https://stackoverflow.com/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely'],
        ['stackexchange/so-question-1196322-no-accepted.html', 'https://stackoverflow.com/questions/1196322/how-to-create-an-animated-gif-in-net'],
        ['stackexchange/so-question-1077347-hello-world-python.html', 'https://stackoverflow.com/questions/1077347/hello-world-in-python'],
        ['stackexchange/puzzling-126764-accepted-answer.html', 'https://puzzling.stackexchange.com/questions/126764/which-duplo-digit-is-6-or-9'],
        ['stackexchange/so-homepage-question-list-2014.html', 'https://stackoverflow.com/'],
      ]),
    ],
    variants: [
      [
        { name: 'question', html: SE_Q.html(), url: SE_Q.url },
        { name: 'question without its slug', html: SE_Q.html(), url: 'https://stackoverflow.com/questions/79000001' },
        { name: 'question at an answer', html: SE_Q.html(), url: `${SE_Q.url}?noredirect=1#answer-79000011` },
      ],
    ],
    vocabulary: ['question', 'answer', 'accepted-answer', 'post-signature', 'owner', 'user-details', 's-prose', 'js-post-menu', 's-post-summary', 'question-summary', 'question-hyperlink', 's-topbar', 's-user-card', 'data-questionid', '/users/12/ada'],
  },
  {
    name: 'Reddit (built in)',
    adapter: reddit,
    description: REDDIT_DESCRIPTION,
    table: RD,
    maxItems: 5_000,
    pages: () => [
      ...own(REDDIT_FIXTURES),
      ...real([
        ['reddit/shreddit-thread-r-programming-1nq6g8p-2025-10.html', 'https://www.reddit.com/r/programming/comments/1nq6g8p/postgresql_18_released/'],
        ['reddit/shreddit-thread-BoomersBeingFools-1cq6hci.html', 'https://www.reddit.com/r/BoomersBeingFools/comments/1cq6hci/boomer_did_not_like_the_fact_i_took_down_the/'],
        ['reddit/shreddit-thread-BoomersBeingFools-1cqcfkk.html', 'https://www.reddit.com/r/BoomersBeingFools/comments/1cqcfkk/'],
        ['reddit/shreddit-subreddit-listing-r-programming-2025-10.html', 'https://www.reddit.com/r/programming/'],
        ['reddit/new-reddit-2022-askreddit-axtih6.html', 'https://www.reddit.com/r/AskReddit/comments/axtih6/what_is_the_most_worth_it_item_you_have_ever/'],
      ]),
    ],
    variants: [
      // Today's front-end and old Reddit, under several addresses: one community, one set of keys.
      [
        { name: 'shreddit', html: RD_THREAD.html(), url: RD_THREAD.url },
        { name: 'shreddit, short address', html: RD_THREAD.html(), url: 'https://www.reddit.com/comments/1abc2de/' },
        { name: 'old Reddit', html: REDDIT_FIXTURES['thread-old.html']!.html(), url: REDDIT_FIXTURES['thread-old.html']!.url },
        { name: 'old Reddit, comment address', html: REDDIT_FIXTURES['thread-old.html']!.html(), url: `${REDDIT_FIXTURES['thread-old.html']!.url}ka01aae/` },
      ],
    ],
    vocabulary: ['thing', 'comment', 'link', 'comments-page', 'listing-page', 'entry', 'tagline', 'usertext-body', 'Comment', 't1_abc', 't3_abc', 'data-fullname', 'data-author', 'siteTable', 'commentarea'],
  },
  {
    name: 'Bramble (a description)',
    adapter: describedAdapter(brambleDescription(BRAMBLE)),
    description: brambleDescription(BRAMBLE),
    maxItems: 2_000,
    pages: () => [
      { name: 'thread', html: brambleThreadPage(thread, 4, { member: 'ada' }), url: `${BRAMBLE}${brambleThreadPath(thread)}` },
      { name: 'board', html: brambleBoardPage([thread, { id: 13, title: 'Second', replies: 0 }]), url: `${BRAMBLE}/board` },
    ],
    variants: [
      [
        { name: 'thread', html: brambleThreadPage(thread, 4), url: `${BRAMBLE}${brambleThreadPath(thread)}` },
        { name: 'thread with a fragment', html: brambleThreadPage(thread, 4), url: `${BRAMBLE}${brambleThreadPath(thread)}#e-1003` },
        { name: 'thread, signed in', html: brambleThreadPage(thread, 4, { member: 'rowan' }), url: `${BRAMBLE}${brambleThreadPath(thread)}?from=board` },
      ],
    ],
    vocabulary: ['entry', 'who', 'plink', 'discussion', 'discussion__title', 'topic-line', 'topic-line__go', 'data-entry', 'entry__text', 'me-name', 'signed-in'],
  },
];

const ORIGIN_OF = (u: string) => new URL(u).origin;

/** Every target's post or thread is in the read, and its anchor is inside what it stands for. */
function checkTargets(read: PageRead): void {
  const posts = new Set(read.posts.map((p) => `${p.threadId} ${p.postId}`));
  const threads = new Set(read.threads.map((t) => t.threadId));
  for (const t of read.targets) {
    if (t.kind === 'post') expect(posts.has(`${t.post.threadId} ${t.post.postId}`)).toBe(true);
    else expect(threads.has(t.thread.threadId)).toBe(true);
    expect(t.element === t.anchor || t.element.contains(t.anchor)).toBe(true);
    expect(t.anchor.isConnected).toBe(true);
  }
}

/** Everything read stays within its limits. */
function checkBounds(read: PageRead, maxItems: number): void {
  expect(read.posts.length).toBeLessThanOrEqual(maxItems);
  expect(read.threads.length).toBeLessThanOrEqual(maxItems + 1);
  for (const t of read.threads) {
    expect(Array.from(t.title).length).toBeLessThanOrEqual(MAX_TITLE);
    expect(t.url.length).toBeLessThanOrEqual(MAX_URL);
    expect(t.url).toMatch(/^https?:\/\//);
    if (t.author) expect(t.author.length).toBeLessThanOrEqual(MAX_HANDLE);
    expect(t.threadId).toMatch(/^[A-Za-z0-9_\-./#@:]{1,200}$/);
  }
  for (const p of read.posts) {
    expect(p.author.length).toBeLessThanOrEqual(MAX_HANDLE);
    expect(p.postId).toMatch(/^[A-Za-z0-9_\-./#@:]{1,200}$/);
    expect(p.url.length).toBeLessThanOrEqual(MAX_URL);
  }
  if (read.viewer) expect(read.viewer.length).toBeLessThanOrEqual(MAX_HANDLE);
}

/** Markup made of an adapter's own words, nested at random, with junk in between. */
function markup(vocabulary: string[]) {
  const word = fc.constantFrom(...vocabulary);
  const tag = fc.constantFrom('div', 'article', 'section', 'span', 'a', 'tr', 'td', 'table', 'li', 'h1', 'h2', 'b', 'noscript', 'template');
  const attrValue = fc.oneof(word, fc.constantFrom('1', '0', '4821', 'post_1', 'e-1', '/t/x/1', '/thread/12/x', '/u/bob', '@bob', ''), fc.string({ maxLength: 30 }));
  const leaf = fc.oneof(fc.string({ maxLength: 40 }).map((s) => s.replace(/[<>&]/g, ' ')), fc.constantFrom('bob', 'ada', '12', '<b>x</b>'));
  const node: fc.Memo<string> = fc.memo((depth) =>
    depth <= 1
      ? leaf
      : fc
          .tuple(tag, fc.array(word, { maxLength: 3 }), fc.array(fc.tuple(fc.constantFrom('id', 'data-topic-id', 'data-entry', 'href', 'data-user-card', 'aria-label', 'class'), attrValue), { maxLength: 3 }), fc.array(node(depth - 1), { maxLength: 4 }))
          .map(([t, classes, attrs, children]) => `<${t} class="${classes.join(' ')}" ${attrs.map(([k, v]) => `${k}="${v.replace(/"/g, '')}"`).join(' ')}>${children.join('')}</${t}>`),
  );
  return node(5);
}

for (const c of cases) {
  describe(`conformance: ${c.name}`, () => {
    it('reads its pages within bounds, with every target in the read', () => {
      for (const page of c.pages()) {
        const doc = parsePage(page.html, page.url);
        const read = readPage(doc, new URL(page.url), [c.adapter]);
        expect(read, page.name).not.toBeNull();
        checkBounds(read!, c.maxItems);
        checkTargets(read!);
        expect(read!.threads.length + read!.posts.length, `${page.name} reads something`).toBeGreaterThan(0);
      }
    });

    it('gives the same keys from every variant of a page', () => {
      for (const group of c.variants) {
        const keys = group.map((v) => {
          const read = readPage(parsePage(v.html, v.url), new URL(v.url), [c.adapter])!;
          return { threads: read.threads.map((t) => [t.threadId, t.url]), posts: read.posts.map((p) => [p.postId, p.author]) };
        });
        for (const k of keys.slice(1)) expect(k).toEqual(keys[0]);
      }
    });

    it('never throws on any markup, and stays within bounds', () => {
      const base = c.pages()[0]!;
      fc.assert(
        fc.property(markup(c.vocabulary), (body) => {
          // Custom elements and attributes the words cannot make, for the platforms that use them.
          const head = c.adapter === discourse ? '<meta name="generator" content="Discourse 3.5">' : '';
          body = body.replace(/<(\/?)(article|section)\b/g, c.adapter === reddit ? '<$1shreddit-comment' : '<$1$2').replace(/data-entry=/g, c.adapter === reddit ? 'thingid=' : 'data-entry=');
          const doc = parsePage(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`, base.url);
          const read = readPage(doc, new URL(base.url), [c.adapter]);
          if (read) {
            checkBounds(read, c.maxItems);
            checkTargets(read);
          }
        }),
        { numRuns: 60 },
      );
      // Objects that are not documents at all.
      for (const weird of [{}, null, { querySelector: () => { throw new Error('boom'); } }]) {
        expect(() => c.adapter.read(weird as unknown as Document, new URL(base.url))).not.toThrow();
        const read = c.adapter.read(weird as unknown as Document, new URL(base.url));
        expect(read === null || (read.threads.length === 0 && read.posts.length === 0 && read.targets.length === 0)).toBe(true);
      }
      expect(ORIGIN_OF(base.url)).toMatch(/^https:/);
    });

    if (c.table) {
      it('uses no selector that is not in its selector table (where each names its fixture)', () => {
        const table = new Set(Object.values(c.table!).flatMap((v) => (typeof v === 'string' ? [v] : [...v])));
        const outside = selectorsOf(c.description).filter((s) => !table.has(s.selector));
        expect(outside).toEqual([]);
      });
    }
  });
}
