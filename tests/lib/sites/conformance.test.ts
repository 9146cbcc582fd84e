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
          const head = c.adapter === discourse ? '<meta name="generator" content="Discourse 3.5">' : '';
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
