import { afterAll, describe, expect, it } from 'vitest';
import { discourse } from '../../../lib/sites/discourse';
import { adapterFor, pageTargets, scanPage, targetKey } from '../../../lib/sites';
import type { PageScan, PostInfo, SiteAdapter, ThreadInfo } from '../../../lib/sites';
import { closePages, discourseFixture, parsePage } from './load-page';

const ORIGIN = 'https://forum.example.org';
const TOPIC_URL = `${ORIGIN}/t/rotating-api-keys-without-downtime/4821`;
const GENERATOR = '<meta name="generator" content="Discourse 3.5.0 - https://github.com/discourse/discourse version abc">';

afterAll(closePages);

function load(name: string, url: string): { doc: Document; url: URL } {
  return { doc: parsePage(discourseFixture(name), url), url: new URL(url) };
}

function scan(name: string, url: string): PageScan {
  const page = load(name, url);
  const result = scanPage(page.doc, page.url);
  expect(result).not.toBeNull();
  return result!;
}

/** A page built from a body fragment, on a Discourse site unless `head` says otherwise. */
function page(body: string, url = TOPIC_URL, head = GENERATOR): { doc: Document; url: URL } {
  return { doc: parsePage(`<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`, url), url: new URL(url) };
}

function scanOf(p: { doc: Document; url: URL }): PageScan | null {
  return scanPage(p.doc, p.url);
}

const post = (postId: string, author: string, extra: Partial<PostInfo> = {}): PostInfo => ({
  threadId: '4821',
  postId,
  author,
  url: `${TOPIC_URL}/${postId}`,
  ...extra,
});

const TOPIC_THREAD: ThreadInfo = {
  threadId: '4821',
  title: 'Rotating API keys without downtime',
  url: TOPIC_URL,
  author: 'alice',
  replies: 5,
  answered: true,
  createdAt: Date.parse('2025-03-03T13:15:00Z'),
  category: 'Support',
  tags: ['api', 'security'],
};

describe('Discourse topic page, rendered (topic.html)', () => {
  it('reads the topic, the rendered posts and the viewer', () => {
    expect(scan('topic.html', TOPIC_URL)).toEqual({
      site: ORIGIN,
      platform: 'discourse',
      viewer: 'bob',
      threads: [
        TOPIC_THREAD,
        {
          threadId: '4830',
          title: 'Webhook retries stop after an hour',
          url: `${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830`,
          replies: 2,
          answered: false,
          category: 'Support',
        },
        {
          threadId: '4799',
          title: 'Welcome to the Example Forum',
          url: `${ORIGIN}/t/welcome-to-the-example-forum/4799`,
          replies: 0,
          category: 'Announcements',
        },
      ],
      posts: [
        post('1', 'alice', { isQuestion: true }),
        post('2', 'bob'),
        post('3', 'carol'),
        post('4', 'alice'),
        post('6', 'erin'),
      ],
    });
  });

  it('skips the cloaked post and the small action, and marks only post 1 as the question', () => {
    const { posts } = scan('topic.html', TOPIC_URL);
    const ids = posts.map((p) => p.postId);
    expect(ids).not.toContain('5');
    expect(ids).not.toContain('7');
    expect(posts.filter((p) => p.isQuestion).map((p) => p.postId)).toEqual(['1']);
  });

  it('reads the username, not the full name, when the site shows full names first', () => {
    const post4 = scan('topic.html', TOPIC_URL).posts.find((p) => p.postId === '4');
    expect(post4?.author).toBe('alice');
  });

  it('gives the same keys whichever URL variant of the topic was opened', () => {
    for (const variant of [`${TOPIC_URL}/3?u=bob`, `${ORIGIN}/t/4821`, `${ORIGIN}/t/4821/2`, `${TOPIC_URL}#reply`]) {
      const result = scan('topic.html', variant);
      expect(result.threads[0]).toEqual(TOPIC_THREAD);
      expect(result.posts.map((p) => p.url)).toEqual(['1', '2', '3', '4', '6'].map((n) => `${TOPIC_URL}/${n}`));
    }
  });

  it('offers overlay targets: the title, each rendered post, each suggested row', () => {
    const { doc, url } = load('topic.html', TOPIC_URL);
    const targets = pageTargets(doc, url);
    expect(targets.map((t) => targetKey(ORIGIN, t))).toEqual([
      `thread ${ORIGIN} 4821`,
      `post ${ORIGIN} 4821 1`,
      `post ${ORIGIN} 4821 2`,
      `post ${ORIGIN} 4821 3`,
      `post ${ORIGIN} 4821 4`,
      `post ${ORIGIN} 4821 6`,
      `thread-row ${ORIGIN} 4830`,
      `thread-row ${ORIGIN} 4799`,
    ]);
    const [title, first] = targets;
    expect(title?.element).toBe(doc.getElementById('topic-title'));
    expect(title?.anchor.tagName).toBe('H1');
    expect(title?.placement).toBe('afterend');
    expect(first?.element).toBe(doc.querySelector('article#post_1'));
    expect(first?.anchor.matches('section.post-menu-area')).toBe(true);
    expect(first?.placement).toBe('beforeend');
    for (const t of targets) expect(t.element.contains(t.anchor) || t.element === t.anchor).toBe(true);
  });

  it('follows posts as Discourse cloaks and renders them', () => {
    const { doc, url } = load('topic.html', TOPIC_URL);
    const postKeys = (): string[] =>
      pageTargets(doc, url).flatMap((t) => (t.kind === 'post' ? [t.post.postId] : []));
    expect(postKeys()).toEqual(['1', '2', '3', '4', '6']);

    // Scrolling down: post 1 is cloaked (its article goes), post 5 renders.
    doc.querySelector('article#post_1')?.remove();
    const wrapper5 = doc.querySelector('.topic-post[data-post-number="5"]')!;
    wrapper5.removeAttribute('id');
    wrapper5.removeAttribute('aria-busy');
    wrapper5.innerHTML = `<article id="post_5" aria-label="post #5 by @dave" data-post-id="30120" data-topic-id="4821">
      <div class="topic-meta-data"><div class="names"><span class="first username"><a data-user-card="dave" href="/u/dave">dave</a></span></div></div>
      <div class="regular contents"><div class="cooked"><p>Feature flag.</p></div><section class="post-menu-area"></section></div></article>`;
    expect(postKeys()).toEqual(['2', '3', '4', '5', '6']);
    // The thread's author and date come from post 1, so they are unknown while it is cloaked.
    const thread = scanOf({ doc, url })?.threads[0];
    expect(thread?.author).toBeUndefined();
    expect(thread?.createdAt).toBeUndefined();
    expect(thread?.answered).toBe(true);
  });

  it('observes the main outlet for changes', () => {
    const { doc } = load('topic.html', TOPIC_URL);
    expect(discourse.observeRoot(doc)).toBe(doc.getElementById('main-outlet'));
  });
});

describe('Discourse topic page, crawler view (topic-crawler.html)', () => {
  it('reads every post of the crawler view, with no viewer', () => {
    const result = scan('topic-crawler.html', TOPIC_URL);
    expect(result.viewer).toBeNull();
    // The reply count comes from the app's preloaded data, which the crawler view lacks.
    const { replies: _replies, ...withoutReplies } = TOPIC_THREAD;
    expect(result.threads).toEqual([withoutReplies]);
    expect(result.posts).toEqual([
      post('1', 'alice', { isQuestion: true }),
      post('2', 'bob'),
      post('3', 'carol'),
      post('4', 'alice'),
      post('5', 'dave'),
      post('6', 'erin'),
    ]);
  });

  it('gives the same keys, authors and URLs as the rendered view', () => {
    const rendered = scan('topic.html', TOPIC_URL);
    const crawler = scan('topic-crawler.html', TOPIC_URL);
    // Every rendered post is in the crawler view, identical; the crawler view also has the
    // post the rendered view had cloaked.
    for (const p of rendered.posts) expect(crawler.posts).toContainEqual(p);
    expect(crawler.posts.map((p) => p.postId).filter((id) => !rendered.posts.some((p) => p.postId === id))).toEqual(['5']);
    // The topic itself: same everything except the reply count, which only the app's data has.
    const { replies: _r, ...renderedTopic } = rendered.threads[0]!;
    expect(crawler.threads[0]).toEqual(renderedTopic);
    expect(crawler.site).toBe(rendered.site);
  });

  it('offers targets for the title and each crawler post', () => {
    const { doc, url } = load('topic-crawler.html', TOPIC_URL);
    const targets = pageTargets(doc, url);
    expect(targets.map((t) => t.kind)).toEqual(['thread', 'post', 'post', 'post', 'post', 'post', 'post']);
    expect(targets[1]?.element).toBe(doc.getElementById('post_1'));
  });

  it('reads crawler content a scripting browser keeps as <noscript> text, without making targets of it', () => {
    const { doc, url } = load('topic.html', TOPIC_URL);
    // What a browser with scripting on holds before (or without) the app: the rendered app
    // is absent and the <noscript> content is text, not elements.
    doc.getElementById('main')?.remove();
    const ns = doc.querySelector('noscript')!;
    ns.textContent = ns.innerHTML;
    expect(ns.children.length).toBe(0);
    const result = scanPage(doc, url)!;
    expect(result.posts).toEqual([post('1', 'alice', { isQuestion: true }), post('2', 'bob')]);
    expect(result.threads[0]).toMatchObject({ threadId: '4821', title: 'Rotating API keys without downtime', url: TOPIC_URL });
    expect(result.viewer).toBe('bob');
    expect(pageTargets(doc, url)).toEqual([]);
    // No script in that text ran and nothing from it entered the page.
    expect(doc.getElementById('post_1')).toBeNull();
  });

  it('ignores <noscript> text left over from another URL after a soft navigation', () => {
    const { doc } = load('topic.html', TOPIC_URL);
    doc.getElementById('main')?.remove();
    const ns = doc.querySelector('noscript')!;
    ns.textContent = ns.innerHTML;
    const result = scanPage(doc, new URL(`${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830`))!;
    expect(result.threads).toEqual([]);
    expect(result.posts).toEqual([]);
  });
});

describe('Discourse topic lists', () => {
  const LATEST_ROWS: ThreadInfo[] = [
    {
      threadId: '4821',
      title: 'Rotating API keys without downtime',
      url: TOPIC_URL,
      author: 'alice',
      replies: 5,
      answered: true,
      category: 'Support',
      tags: ['api', 'security'],
    },
    {
      threadId: '4830',
      title: 'Webhook retries stop after an hour',
      url: `${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830`,
      author: 'dave',
      replies: 2,
      answered: false,
      category: 'Support',
    },
    {
      threadId: '4799',
      title: 'Welcome to the Example Forum',
      url: `${ORIGIN}/t/welcome-to-the-example-forum/4799`,
      author: 'sam',
      replies: 0,
      category: 'Announcements',
    },
    {
      threadId: '4812',
      title: 'Migrating from the v2 to the v3 API',
      url: `${ORIGIN}/t/migrating-from-v2-to-v3-api/4812`,
      author: 'frank',
      replies: 1200,
      category: 'Deploys',
      tags: ['upgrade'],
    },
    {
      threadId: '4835',
      title: 'Can’t log in after SSO change & password reset',
      url: `${ORIGIN}/t/cant-log-in-after-sso-change/4835`,
      author: 'grace',
      replies: 1,
      category: 'Support',
    },
  ];

  it('reads /latest rows (latest.html), preferring rendered rows over <noscript> ones', () => {
    expect(scan('latest.html', `${ORIGIN}/latest`)).toEqual({
      site: ORIGIN,
      platform: 'discourse',
      viewer: 'bob',
      threads: LATEST_ROWS,
      posts: [],
    });
  });

  it('tells solved, unsolved and unknown apart', () => {
    const byId = new Map(scan('latest.html', `${ORIGIN}/latest`).threads.map((t) => [t.threadId, t]));
    expect(byId.get('4821')?.answered).toBe(true);
    expect(byId.get('4830')?.answered).toBe(false);
    expect(byId.get('4835')).not.toHaveProperty('answered');
  });

  it('gives the crawler list the same keys and URLs as the rendered list (latest-crawler.html)', () => {
    const rendered = scan('latest.html', `${ORIGIN}/latest`);
    const crawler = scan('latest-crawler.html', `${ORIGIN}/latest`);
    expect(crawler.viewer).toBeNull();
    expect(crawler.threads.map((t) => [t.threadId, t.url, t.title, t.category, t.tags])).toEqual(
      rendered.threads.map((t) => [t.threadId, t.url, t.title, t.category, t.tags]),
    );
    // The crawler prints exact counts where the app abbreviates ("1.2k").
    expect(crawler.threads.map((t) => t.replies)).toEqual([5, 2, 0, 1203, 1]);
  });

  it('reads the pre-2023 crawler list and unclassed rows of the list table', () => {
    const old = `<div class="topic-list" itemscope itemtype="http://schema.org/ItemList">
      <div itemprop="itemListElement" itemscope itemtype="http://schema.org/ListItem">
        <meta itemprop="url" content="${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830">
        <a href="/t/webhook-retries-stop-after-an-hour/4830" itemprop="item"><span itemprop="name">Webhook retries stop after an hour</span></a>
        <span class="posts" title="posts">(<a href="/t/webhook-retries-stop-after-an-hour/4830/3">3</a>)</span>
      </div></div>
      <table class="topic-list"><tbody><tr><td><a class="title" href="/t/welcome-to-the-example-forum/4799">Welcome</a></td></tr></tbody></table>`;
    expect(scanOf(page(old, `${ORIGIN}/latest`))?.threads).toEqual([
      { threadId: '4830', title: 'Webhook retries stop after an hour', url: `${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830` },
      { threadId: '4799', title: 'Welcome', url: `${ORIGIN}/t/welcome-to-the-example-forum/4799` },
    ]);
  });

  it('offers a row target per topic, anchored after the title link', () => {
    const { doc, url } = load('latest.html', `${ORIGIN}/latest`);
    const targets = pageTargets(doc, url);
    expect(targets.map((t) => targetKey(ORIGIN, t))).toEqual(LATEST_ROWS.map((t) => `thread-row ${ORIGIN} ${t.threadId}`));
    for (const t of targets) {
      expect(t.element.tagName).toBe('TR');
      expect(t.anchor.matches('a.raw-topic-link')).toBe(true);
      expect(t.placement).toBe('afterend');
      expect(t.element.closest('noscript')).toBeNull();
    }
  });

  it('reads a category list (category.html): category from the breadcrumb, solved from the icon, logged out', () => {
    expect(scan('category.html', `${ORIGIN}/c/support/5`)).toEqual({
      site: ORIGIN,
      platform: 'discourse',
      viewer: null,
      threads: [
        {
          threadId: '4841',
          title: 'Rate limit headers missing on 429',
          url: `${ORIGIN}/t/rate-limit-headers-missing-on-429/4841`,
          author: 'heidi',
          replies: 0,
          category: 'Support',
        },
        {
          threadId: '4835',
          title: 'Can’t log in after SSO change & password reset',
          url: `${ORIGIN}/t/cant-log-in-after-sso-change/4835`,
          author: 'grace',
          replies: 1,
          category: 'Support',
        },
        {
          threadId: '4830',
          title: 'Webhook retries stop after an hour',
          url: `${ORIGIN}/t/webhook-retries-stop-after-an-hour/4830`,
          author: 'dave',
          replies: 2,
          answered: false,
          category: 'Support',
        },
        {
          threadId: '4821',
          title: 'Rotating API keys without downtime',
          url: TOPIC_URL,
          author: 'alice',
          replies: 5,
          answered: true,
          category: 'Support',
          tags: ['api', 'security'],
        },
      ],
      posts: [],
    });
  });
});

describe('Discourse detection', () => {
  it('does not claim a page without the Discourse generator tag (not-discourse.html)', () => {
    const { doc, url } = load('not-discourse.html', 'https://other.example.net/t/rotating-api-keys-without-downtime/4821');
    expect(discourse.detect(doc, url)).toBe(false);
    expect(adapterFor(doc, url)).toBeNull();
    expect(scanPage(doc, url)).toBeNull();
    expect(pageTargets(doc, url)).toEqual([]);
  });

  it('recognises Discourse on any domain, from the page', () => {
    for (const url of ['https://forum.example.org/latest', 'http://127.0.0.1:4200/latest', 'https://community.some-company.io/latest']) {
      const p = page('', url);
      expect(adapterFor(p.doc, p.url)).toBe(discourse);
      expect(scanOf(p)).toEqual({ site: new URL(url).origin, platform: 'discourse', viewer: null, threads: [], posts: [] });
    }
  });

  it('tries extra (custom) adapters after the built-in ones', () => {
    const custom: SiteAdapter = {
      platform: 'custom',
      detect: () => true,
      read: () => ({ viewer: 'me', threads: [], posts: [], targets: [] }),
      observeRoot: () => null,
    };
    const other = page('', 'https://other.example.net/', '<meta name="generator" content="phpBB">');
    expect(adapterFor(other.doc, other.url, [custom])).toBe(custom);
    expect(scanPage(other.doc, other.url, [custom])?.platform).toBe('custom');
    const forum = page('', 'https://forum.example.org/');
    expect(adapterFor(forum.doc, forum.url, [custom])).toBe(discourse);
  });
});

describe('Discourse adapter on hostile or odd markup', () => {
  const article = (id: string, user: string, extra = 'data-topic-id="4821"'): string =>
    `<div class="topic-post"><article id="${id}" aria-label="post by @${user}" ${extra}>
      <div class="topic-meta-data"><div class="names"><span class="first username"><a data-user-card="${user}" href="/u/${user}">${user}</a></span></div></div>
      <div class="regular contents"><div class="cooked"><p>text</p></div><section class="post-menu-area"></section></div></article></div>`;
  const topic = (posts: string, title = 'A title', id = '4821'): string =>
    `<div id="main-outlet"><div id="topic-title"><h1 data-topic-id="${id}"><a class="fancy-title" href="/t/a-title/${id}">${title}</a></h1></div>
     <div id="topic" data-topic-id="${id}"><div class="post-stream">${posts}</div></div></div>`;

  it('ignores posts and topics with missing or non-numeric ids', () => {
    const posts = [
      article('post_abc', 'mallory'),
      article('post_', 'mallory'),
      article('post_0', 'mallory'),
      article('post_-1', 'mallory'),
      article('post_1.5', 'mallory'),
      article('post_99999999999999999999', 'mallory'),
      article('', 'mallory'),
      article('post_2', 'mallory', 'data-topic-id="other"'),
      article('post_3', 'mallory', 'data-topic-id="999"'),
      article('post_007', 'alice'),
    ].join('');
    const result = scanOf(page(topic(posts)))!;
    expect(result.posts).toEqual([{ threadId: '4821', postId: '7', author: 'alice', url: `${ORIGIN}/t/a-title/4821/7` }]);

    for (const bad of ['', 'abc', '12abc', '-5', '0', ' ', '1e3']) {
      const r = scanOf(page(topic(article('post_1', 'alice'), 'T', bad)))!;
      expect(r.threads).toEqual([]);
      expect(r.posts).toEqual([]);
    }
    expect(scanOf(page('<div id="topic"><article id="post_1"></article></div>'))).toMatchObject({ threads: [], posts: [] });
  });

  it('skips posts whose author cannot be read, and never takes one from the post body', () => {
    const injected = `<div class="topic-post"><article id="post_2" aria-label="post #2 by @real_author" data-topic-id="4821">
      <div class="regular contents"><div class="cooked">
        <div class="names"><span class="first username"><a data-user-card="mallory">mallory</a></span></div>
        <div class="topic-avatar"><a data-user-card="mallory"></a></div>
      </div></div></article></div>`;
    const noAuthor = `<div class="topic-post"><article id="post_3" data-topic-id="4821"><div class="cooked"><a data-user-card="mallory"></a></div></article></div>`;
    const longHandle = article('post_4', 'x'.repeat(61));
    const htmlHandle = `<div class="topic-post"><article id="post_5" data-topic-id="4821"><div class="names"><a data-user-card="&lt;img src=x onerror=alert(1)&gt;"></a></div></article></div>`;
    const result = scanOf(page(topic(injected + noAuthor + longHandle + htmlHandle)))!;
    expect(result.posts).toEqual([{ threadId: '4821', postId: '2', author: 'real_author', url: `${ORIGIN}/t/a-title/4821/2` }]);
  });

  it('says unsolved only when the first post is on the page', () => {
    expect(scanOf(page(topic(article('post_1', 'alice') + article('post_2', 'bob'))))?.threads[0]?.answered).toBe(false);
    // First post cloaked or on another page: no marker proves nothing.
    expect(scanOf(page(topic(article('post_2', 'bob'))))?.threads[0]).not.toHaveProperty('answered');
    const solvedTitle = topic(article('post_2', 'bob')).replace('<h1 ', '<h1 ><span class="topic-statuses"><span class="topic-status --solved"></span></span></h1><h1 ');
    expect(scanOf(page(solvedTitle))?.threads[0]?.answered).toBe(true);
  });

  it('caps huge titles and keeps script-ish text as plain text', () => {
    const huge = 'A'.repeat(100_000);
    const r1 = scanOf(page(topic(article('post_1', 'alice'), huge)))!;
    expect(r1.threads[0]?.title).toBe('A'.repeat(300));

    const scriptish = '&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;';
    const r2 = scanOf(page(topic(article('post_1', 'alice'), scriptish)))!;
    expect(r2.threads[0]?.title).toBe('<script>alert(1)</script> <img src=x onerror=alert(2)>');

    const r3 = scanOf(page(topic(article('post_1', 'alice'), 'Real <b>bold</b>\n\n\t title\u202e\u0000')))!;
    expect(r3.threads[0]?.title).toBe('Real bold title');
  });

  it('bounds tags and categories', () => {
    const tags = Array.from({ length: 30 }, (_, i) => `<a class="discourse-tag" data-tag-name="tag${i}">tag${i}</a>`).join('');
    const longTag = `<a class="discourse-tag">${'t'.repeat(80)}</a>`;
    const body = `<div id="topic-title"><h1><a class="fancy-title" href="/t/x/4821">X</a></h1>
      <div class="topic-category"><span class="badge-category__name">${'C'.repeat(500)}</span>
      <div class="discourse-tags">${longTag}${tags}<a class="discourse-tag">tag0</a></div></div></div>
      <div id="topic" data-topic-id="4821"></div>`;
    const thread = scanOf(page(body))!.threads[0]!;
    expect(thread.tags).toHaveLength(20);
    expect(thread.tags?.[0]).toBe('tag0');
    expect(thread.tags?.every((t) => t.length <= 50)).toBe(true);
    expect(thread.category).toBe('C'.repeat(100));
  });

  it('survives malformed preloaded JSON and falls back to the header for the viewer', () => {
    const header = '<li id="current-user"><button href="/u/bob"><img src="/user_avatar/forum.example.org/bob/64/1_2.png"></button></li>';
    const cases = [
      '{not json',
      '{&quot;currentUser&quot;:&quot;{not json either&quot;}',
      '{&quot;currentUser&quot;:42}',
      '{&quot;currentUser&quot;:&quot;{\\&quot;username\\&quot;:{\\&quot;x\\&quot;:1}}&quot;}',
      '{&quot;currentUser&quot;:&quot;{\\&quot;username\\&quot;:\\&quot;has space &lt;b&gt;\\&quot;}&quot;}',
      '[1,2,3]',
      'null',
      '&quot;just a string&quot;',
      '{&quot;__proto__&quot;:{&quot;currentUser&quot;:&quot;{}&quot;}}',
    ];
    for (const raw of cases) {
      const p = page(`${header}<div id="data-preloaded" data-preloaded="${raw}"></div>`);
      expect(scanOf(p)?.viewer).toBe('bob');
    }
    // Without any header either: logged out.
    expect(scanOf(page('<div id="data-preloaded" data-preloaded="{broken"></div>'))?.viewer).toBeNull();
  });

  it('reads the viewer from a broken preloaded blob when its currentUser member is intact', () => {
    const raw =
      '{&quot;site&quot;:&quot;{\\&quot;broken\\&amp;quoquot;}&quot;,&quot;currentUser&quot;:&quot;{\\&quot;id\\&quot;:3,\\&quot;username\\&quot;:\\&quot;carol\\&quot;}&quot;,&quot;topic_4821&quot;:&quot;{trunc';
    const p = page(`<div id="data-preloaded" data-preloaded="${raw}"></div>`);
    expect(scanOf(p)?.viewer).toBe('carol');
  });

  it('falls back through the viewer sources in order', () => {
    expect(scanOf(page('<meta name="discourse_current_username" content="dana">', TOPIC_URL, GENERATOR + '<meta name="discourse_current_username" content="dana">'))?.viewer).toBe('dana');
    expect(scanOf(page('<li id="current-user"><button><img src="/user_avatar/forum.example.org/erin/64/5_2.png"></button></li>'))?.viewer).toBe('erin');
    expect(scanOf(page('<li id="current-user"><button href="https://evil.example/u/mallory"></button></li>'))?.viewer).toBeNull();
  });

  it('drops rows with bad ids or links to other sites', () => {
    const row = (attrs: string, href: string, title = 'T'): string =>
      `<tr class="topic-list-item" ${attrs}><td><a class="title raw-topic-link" href="${href}">${title}</a></td></tr>`;
    const rows = [
      row('data-topic-id="abc"', '/t/x/11'),
      row('data-topic-id=""', '/t/x/12'),
      row('', 'https://evil.example/t/x/13'),
      row('', 'javascript:alert(1)//t/x/14'),
      row('', '/u/someone'),
      row('', '/t/no-id'),
      row('data-topic-id="15"', '/t/x/15', '   '),
      row('data-topic-id="16"', 'https://evil.example/t/other-slug/16'),
      row('', '/t/ok/17/4'),
      row('data-topic-id="18"', '/t/mismatch/99'),
      '<tr class="topic-list-item" data-topic-id="19"><td>no link</td></tr>',
    ].join('');
    const r = scanOf(page(`<table class="topic-list"><tbody>${rows}</tbody></table>`, `${ORIGIN}/latest`))!;
    expect(r.threads).toEqual([
      { threadId: '16', title: 'T', url: `${ORIGIN}/t/topic/16` },
      { threadId: '17', title: 'T', url: `${ORIGIN}/t/ok/17` },
      { threadId: '18', title: 'T', url: `${ORIGIN}/t/topic/18` },
    ]);
  });

  it('bounds the number of rows and posts read from one page', () => {
    const rows = Array.from({ length: 6_000 }, (_, i) => `<tr class="topic-list-item" data-topic-id="${i + 1}"><td><a class="raw-topic-link" href="/t/t/${i + 1}">T${i}</a></td></tr>`).join('');
    const r = scanOf(page(`<table class="topic-list">${rows}</table>`, `${ORIGIN}/latest`))!;
    expect(r.threads).toHaveLength(5_000);
  });

  it('builds URLs under the base path of a subfolder install', () => {
    const head = `${GENERATOR}<meta id="data-discourse-setup" data-base-uri="/forum">`;
    const url = 'https://example.com/forum/t/a-title/4821';
    const body = topic(article('post_1', 'alice')).replace('href="/t/a-title/4821"', 'href="/forum/t/a-title/4821"');
    const r = scanOf(page(body, url, head))!;
    expect(r.threads[0]?.url).toBe('https://example.com/forum/t/a-title/4821');
    expect(r.posts[0]?.url).toBe('https://example.com/forum/t/a-title/4821/1');

    const hostileBase = `${GENERATOR}<meta id="data-discourse-setup" data-base-uri="//evil.example">`;
    const r2 = scanOf(page(topic(article('post_1', 'alice')), TOPIC_URL, hostileBase))!;
    expect(r2.threads[0]?.url).toBe(`${ORIGIN}/t/a-title/4821`);
  });

  it('does not trust a title left over from another topic during a soft navigation', () => {
    const body = `<div id="topic-title"><h1 data-topic-id="4799"><a class="fancy-title" href="/t/old/4799">Old topic</a></h1></div>
      <div id="topic" data-topic-id="4821">${article('post_1', 'alice')}</div>`;
    const p = page(body);
    p.doc.title = 'New topic - Example Forum';
    expect(scanOf(p)?.threads[0]).toMatchObject({ threadId: '4821', title: 'New topic - Example Forum', url: `${ORIGIN}/t/rotating-api-keys-without-downtime/4821` });
  });

  it('never throws, whatever it is given', () => {
    const weird: unknown[] = [{}, null, { querySelector: () => { throw new Error('boom'); } }];
    for (const doc of weird) {
      expect(scanPage(doc as Document, new URL(TOPIC_URL))).toBeNull();
      expect(pageTargets(doc as Document, new URL(TOPIC_URL))).toEqual([]);
      // The adapter itself holds the same promise, for callers that use it directly.
      expect(discourse.detect(doc as Document, new URL(TOPIC_URL))).toBe(false);
      expect(discourse.read(doc as Document, new URL(TOPIC_URL))).toBeNull();
      expect(discourse.observeRoot(doc as Document)).toBeNull();
    }
    const p = page(topic(article('post_1', 'alice')));
    for (const url of ['about:blank', 'data:text/html,hi', 'file:///tmp/x.html']) {
      expect(scanPage(p.doc, new URL(url))).toBeNull();
    }
    const throwingDetect: SiteAdapter = { ...discourse, platform: 'custom', detect: () => { throw new Error('x'); } };
    const other = page('', 'https://other.example.net/', '');
    expect(adapterFor(other.doc, other.url, [throwingDetect])).toBeNull();
    const throwingScan: SiteAdapter = { ...discourse, platform: 'custom', detect: () => true, read: () => { throw new Error('x'); } };
    expect(scanPage(other.doc, other.url, [throwingScan])).toBeNull();
  });

  it('keeps one unreadable element from hiding the rest', () => {
    const p = page(topic(article('post_1', 'alice') + article('post_2', 'bob')));
    // Whatever goes wrong reading one post (here: a DOM call that throws) stays with that post.
    Object.defineProperty(p.doc.querySelector('article#post_1')!, 'closest', {
      value: () => {
        throw new Error('unreadable');
      },
    });
    expect(scanOf(p)?.posts.map((x) => x.postId)).toEqual(['2']);
  });
});
