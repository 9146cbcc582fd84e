import { afterAll, describe, expect, it } from 'vitest';
import { parseSiteDescription, type SiteDescription } from '../../../lib/domain/site-description';
import { readPage, targetKey } from '../../../lib/sites';
import { describedAdapter } from '../../../lib/sites/described';
import { inspectDescription } from '../../../lib/sites/inspect';
import { brambleDescription } from '../../fixtures/bramble/description';
import { brambleBoardPage, brambleThreadPage, brambleThreadPath, type BrambleThread } from '../../fixtures/bramble/generate';
import { closePages, parsePage } from './load-page';

afterAll(closePages);

const ORIGIN = 'https://bramble.example.net';
const THREADS: BrambleThread[] = [
  { id: 12, title: 'Export my reading list', replies: 5 },
  { id: 13, title: 'Change the night theme', replies: 2, solved: true },
];
const T = THREADS[0]!;
const THREAD_URL = `${ORIGIN}${brambleThreadPath(T)}`;
const bramble = describedAdapter(brambleDescription(ORIGIN));
const load = (html: string, url: string) => ({ doc: parsePage(html, url), url: new URL(url) });

describe('a described forum (Bramble)', () => {
  it('is a valid description, as the editor saves it', () => {
    expect(parseSiteDescription(brambleDescription(ORIGIN))).toMatchObject({ ok: true });
  });

  it('reads a thread page: the thread, each post with its author and permalink, and the viewer', () => {
    const { doc, url } = load(brambleThreadPage(T, 6, { member: 'ada' }), THREAD_URL);
    const read = readPage(doc, url, [bramble])!;
    expect(read.platform).toBe('custom');
    expect(read.viewer).toBe('ada');
    expect(read.threads).toEqual([{ threadId: '12', title: 'Export my reading list', url: THREAD_URL, author: 'wren', answered: false }]);
    expect(read.posts.map((p) => [p.postId, p.author, p.isQuestion ?? false])).toEqual([
      ['1001', 'wren', true],
      ['1002', 'rowan', false],
      ['1003', 'hazel', false],
      ['1004', 'ash', false],
      ['1005', 'wren', false],
      ['1006', 'rowan', false],
    ]);
    expect(read.posts[1]!.url).toBe(`${THREAD_URL}#e-1002`);
    expect(read.targets.map((t) => targetKey(ORIGIN, t))).toEqual([`thread ${ORIGIN} 12`, ...read.posts.map((p) => `post ${ORIGIN} 12 ${p.postId}`)]);
    const bar = read.targets[0]!;
    expect(bar.anchor.matches('h2.discussion__title')).toBe(true);
    expect(bar.placement).toBe('afterend');
    for (const t of read.targets) expect(t.element === t.anchor || t.element.contains(t.anchor)).toBe(true);
  });

  it('reads the board: a row per thread, with its replies and answered state', () => {
    const { doc, url } = load(brambleBoardPage(THREADS), `${ORIGIN}/board`);
    const read = readPage(doc, url, [bramble])!;
    expect(read.viewer).toBeNull();
    expect(read.posts).toEqual([]);
    expect(read.threads).toEqual([
      { threadId: '12', title: 'Export my reading list', url: `${ORIGIN}${brambleThreadPath(THREADS[0]!)}`, replies: 5 },
      { threadId: '13', title: 'Change the night theme', url: `${ORIGIN}${brambleThreadPath(THREADS[1]!)}`, replies: 2, answered: true },
    ]);
    expect(read.targets.map((t) => t.kind)).toEqual(['thread-row', 'thread-row']);
  });

  it('gives the same keys from every address of a thread', () => {
    const keys = (u: string) => {
      const { doc, url } = load(brambleThreadPage(T, 3), u);
      const read = readPage(doc, url, [bramble])!;
      return [read.threads.map((t) => [t.threadId, t.url]), read.posts.map((p) => p.postId)];
    };
    const base = keys(THREAD_URL);
    for (const variant of [`${THREAD_URL}?page=1`, `${THREAD_URL}#e-1002`, `${ORIGIN}/thread/12/export-my-reading-list`]) expect(keys(variant)).toEqual(base);
  });

  it('never reads a post’s author from the post’s own text', () => {
    const page = brambleThreadPage(T, 2).replace('<div class="entry__text"><p>', '<div class="entry__text"><p><span class="who"><b>mallory</b></span>');
    const html = page.replace(/<header class="entry__head"><span class="who"><b>rowan<\/b><\/span>/, '<header class="entry__head">');
    const { doc, url } = load(html, THREAD_URL);
    expect(readPage(doc, url, [bramble])!.posts.map((p) => p.author)).toEqual(['wren']);
  });

  it('applies only on its own origins (and where its marker is)', () => {
    const { doc } = load(brambleThreadPage(T, 2), THREAD_URL);
    expect(bramble.detect(doc, new URL('https://other.example.org/thread/12'))).toBe(false);
    const marked = describedAdapter({ ...brambleDescription(ORIGIN), marker: 'meta[name="bramble"]' });
    expect(marked.detect(doc, new URL(THREAD_URL))).toBe(false);
  });

  it('reads nothing, and throws nothing, where its selectors do not parse', () => {
    const broken = describedAdapter({ ...brambleDescription(ORIGIN), posts: { ...brambleDescription(ORIGIN).posts!, item: 'section[[' } } as SiteDescription);
    const { doc, url } = load(brambleThreadPage(T, 3), THREAD_URL);
    const read = broken.read(doc, url)!;
    expect(read.posts).toEqual([]);
    expect(read.threads.map((t) => t.threadId)).toEqual(['12']);
    expect(inspectDescription(broken.description, doc, url).problems['posts.item']).toMatch(/not a selector/);
  });

  it('bounds a page with ten thousand posts, and says the read is partial when it runs out of time', () => {
    const { doc, url } = load(brambleThreadPage(T, 10_000), THREAD_URL);
    // Time is not what this part measures (a test DOM is slower than a browser's).
    const read = describedAdapter(brambleDescription(ORIGIN), { budgetMs: 600_000 }).read(doc, url)!;
    expect(read.posts).toHaveLength(2_000);
    expect(read.targets).toHaveLength(2_001);
    // A pass that runs out of time stops where it is and says so.
    let clock = 0;
    const slow = describedAdapter(brambleDescription(ORIGIN), { now: () => (clock += 7), budgetMs: 100 });
    const partial = slow.read(doc, url)!;
    expect(partial.partial).toBe(true);
    // It still shows the first hundred: a slow page gets overlays where the reader starts.
    expect(partial.posts.length).toBeGreaterThanOrEqual(100);
    expect(partial.posts.length).toBeLessThan(200);
  });

  it('counts what each field finds, for the editor', () => {
    const { doc, url } = load(brambleThreadPage(T, 6, { member: 'ada' }), THREAD_URL);
    const report = inspectDescription(bramble.description, doc, url);
    expect(report.counts).toMatchObject({ 'thread.container': 1, 'thread.id': 1, 'thread.title': 1, 'posts.item': 6, 'posts.id': 6, 'posts.author': 6, 'posts.permalink': 6, 'list.row': 0, viewer: 1 });
    expect(report.samples).toMatchObject({ 'thread.id': '12', 'thread.title': 'Export my reading list', 'posts.author': 'wren', viewer: 'ada' });
    expect(report.elements['posts.author']).toHaveLength(6);
    expect(report.problems).toEqual({});
    // An unfinished description (only the posts picked so far) is counted too.
    const unfinished = { version: 1, name: 'x', origins: [ORIGIN], posts: { item: 'section.entry' } } as unknown as SiteDescription;
    expect(inspectDescription(unfinished, doc, url).counts).toEqual({ 'posts.item': 6 });
    // Two posts with one id are told apart from a usable id.
    const sameId = { ...brambleDescription(ORIGIN), posts: { ...brambleDescription(ORIGIN).posts!, id: { attr: 'class' } } };
    expect(inspectDescription(sameId, doc, url).problems['posts.id']).toMatch(/share an id/);
  });
});

describe('threaded replies and embedded authors', () => {
  const ORIGIN2 = 'https://threads.example.net';
  const page = `<!doctype html><html><body><main class="topic" data-id="7"><h1>Nested</h1>
    <div class="c" data-c="1"><b class="who">ada</b><p class="txt">Top <b class="who">quoted</b></p><span class="bar"></span>
      <div class="c" data-c="2"><b class="who">ben</b><span class="bar"></span>
        <div class="c" data-c="3"><span class="bar"></span></div>
      </div>
    </div></main>
    <script id="embedded">{"3":"cyd"}</script></body></html>`;
  const description = (nested: boolean): SiteDescription => ({
    version: 1,
    name: 'Threads',
    origins: [ORIGIN2],
    thread: { container: 'main.topic', id: { attr: 'data-id' }, title: { selector: 'h1' }, anchor: { placement: 'prepend' } },
    posts: { item: 'div.c', id: { attr: 'data-c' }, author: { selector: 'b.who' }, body: 'p.txt', nested, anchor: { selector: '.bar', placement: 'append' } },
  });
  const url = `${ORIGIN2}/t/7`;

  it('is a valid description either way', () => {
    expect(parseSiteDescription(description(true))).toMatchObject({ ok: true });
  });

  it('reads only the outermost posts unless replies nest; each nested post takes its own values, never a reply\'s', () => {
    const flat = readPage(parsePage(page, url), new URL(url), [describedAdapter(description(false))])!;
    expect(flat.posts.map((p) => [p.postId, p.author])).toEqual([['1', 'ada']]);
    const nested = readPage(parsePage(page, url), new URL(url), [describedAdapter(description(true))])!;
    // Post 3 names no author of its own: its parent's "ben" is not its author.
    expect(nested.posts.map((p) => [p.postId, p.author])).toEqual([
      ['1', 'ada'],
      ['2', 'ben'],
    ]);
    // Each post's overlay goes in its own bar, not its reply's.
    const anchors = nested.targets.flatMap((t) => (t.kind === 'post' ? [[t.post.postId, t.anchor.closest('div.c')!.getAttribute('data-c')]] : []));
    expect(anchors).toEqual([
      ['1', '1'],
      ['2', '2'],
    ]);
  });

  it("takes a post's author from the page's embedded data only when its markup names none, and drops it when neither does", () => {
    const seen: string[] = [];
    const adapter = describedAdapter(description(true), {
      hooks: {
        postAuthor(_el, postId, _ctx, pass) {
          seen.push(postId);
          const data = JSON.parse(pass.doc.getElementById('embedded')?.textContent ?? '{}') as Record<string, string>;
          return data[postId] ?? null;
        },
      },
    });
    const read = readPage(parsePage(page, url), new URL(url), [adapter])!;
    expect(read.posts.map((p) => [p.postId, p.author])).toEqual([
      ['1', 'ada'],
      ['2', 'ben'],
      ['3', 'cyd'],
    ]);
    expect(seen).toEqual(['3']);
    const without = page.replace('{"3":"cyd"}', '{}');
    expect(readPage(parsePage(without, url), new URL(url), [adapter])!.posts.map((p) => p.postId)).toEqual(['1', '2']);
  });
});
