/**
 * Conformance against pages as the real sites served them. The pages live outside the
 * repository (see tests/helpers/real-fixtures.ts) and are data: they are parsed with
 * scripting, file loading and navigation off, never run. Without them the suite skips with
 * one line saying so (and fails in CI).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { adapterFor, pageTargets, readPage, scanPage } from '../../../lib/sites';
import { discourse } from '../../../lib/sites/discourse';
import { github } from '../../../lib/sites/github';
import { reddit } from '../../../lib/sites/reddit';
import { stackexchange } from '../../../lib/sites/stackexchange';
import { describeReal, realPage as real } from '../../helpers/real-fixtures';
import { closePages, parsePage } from './load-page';

afterAll(closePages);

describeReal('real pages', () => {
describe('real Discourse page: meta.discourse.org topic 12483, server response (2020)', () => {
  const FILE = 'discourse/meta-topic-12483-server-response-2020.html';
  const TOPIC = 'https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483';

  it('is the page this suite expects (its canonical link)', () => {
    expect(real(FILE)).toContain(`<link rel="canonical" href="${TOPIC}" />`);
  });

  it('is recognised as Discourse and scanned: topic 12483, its two posts and their authors', () => {
    const doc = parsePage(real(FILE), TOPIC);
    const url = new URL(TOPIC);
    expect(adapterFor(doc, url)).toBe(discourse);
    const scan = scanPage(doc, url);
    expect(scan).toMatchObject({ site: 'https://meta.discourse.org', platform: 'discourse' });
    expect(scan?.threads).toEqual([
      {
        threadId: '12483',
        title: 'Congratulations, most stars in 2013 GitHub Octoverse!',
        url: TOPIC,
        author: 'techAPJ',
        answered: false,
        createdAt: Date.parse('2014-02-06T04:55:19Z'),
        category: 'praise',
      },
    ]);
    expect(scan?.posts).toEqual([
      { threadId: '12483', postId: '1', author: 'techAPJ', url: `${TOPIC}/1`, isQuestion: true },
      { threadId: '12483', postId: '2', author: 'codinghorror', url: `${TOPIC}/2` },
    ]);
  });

  it('finds the viewer in the preloaded data although that JSON is damaged as a whole', () => {
    // The saved response was fetched logged in as techAPJ; two entities in its
    // data-preloaded attribute are mangled, so the blob does not parse as a whole.
    const doc = parsePage(real(FILE), TOPIC);
    const raw = doc.getElementById('data-preloaded')?.getAttribute('data-preloaded') ?? '';
    expect(() => JSON.parse(raw)).toThrow();
    expect(scanPage(doc, new URL(TOPIC))?.viewer).toBe('techAPJ');
  });

  it('gives the same keys from any URL variant of the topic', () => {
    for (const variant of [`${TOPIC}/2`, 'https://meta.discourse.org/t/12483', `${TOPIC}?u=someone`]) {
      const scan = scanPage(parsePage(real(FILE), variant), new URL(variant));
      expect(scan?.threads.map((t) => [t.threadId, t.url])).toEqual([['12483', TOPIC]]);
      expect(scan?.posts.map((p) => p.url)).toEqual([`${TOPIC}/1`, `${TOPIC}/2`]);
    }
  });

  it('reads the same keys when a scripting browser keeps the crawler content as <noscript> text', () => {
    const doc = parsePage(real(FILE), TOPIC);
    const noscript = doc.querySelector('noscript')!;
    noscript.textContent = noscript.innerHTML;
    const scan = scanPage(doc, new URL(TOPIC));
    expect(scan?.threads.map((t) => t.threadId)).toEqual(['12483']);
    expect(scan?.posts.map((p) => [p.postId, p.author])).toEqual([
      ['1', 'techAPJ'],
      ['2', 'codinghorror'],
    ]);
    // Text is not page content: nothing to attach overlays to.
    expect(pageTargets(doc, new URL(TOPIC))).toEqual([]);
  });
});

describe('real Discourse 3.3 topics after the app rendered (forum.uipath.com, 2024)', () => {
  // In this version the post wrapper carries no post number (the article's id does), the
  // labels are localised ("@user 发布的帖子 #N"), and the saved DOM nests the stream so that a
  // parser leaves later posts outside the topic container.
  const cases = [
    {
      file: 'discourse/uipath-forum-topic-421350-rendered.html',
      url: 'https://forum.uipath.com/t/how-to-run-uipath-studio-and-studiox-on-same-computer/421350',
      posts: [['1', 'Ravindra_Kumar'], ['2', 'fernando_zuluaga'], ['3', 'Ravindra_Kumar'], ['4', 'fernando_zuluaga']],
      thread: { threadId: '421350', title: 'How to Run UiPath studio and Studiox on same computer', author: 'Ravindra_Kumar', answered: true, category: 'StudioX' },
    },
    {
      file: 'discourse/uipath-forum-topic-739028-rendered.html',
      url: 'https://forum.uipath.com/t/uipath-load-testing/739028',
      posts: [['1', 'robert.wagner'], ['3', 'carlosevp'], ['4', 'erkanceylan'], ['5', 'mahmoud.zaky'], ['6', 'pradeep-shukla'], ['7', 'ashwin.ashok'], ['8', 'ali.koundi1']],
      thread: { threadId: '739028', title: 'UiPath Load Testing', author: 'robert.wagner', answered: false, category: 'Test Suite' },
    },
  ];
  for (const c of cases) {
    it(`reads every post a reader sees, and none of the notices: ${c.file}`, () => {
      const doc = parsePage(real(c.file), c.url);
      const url = new URL(c.url);
      const read = readPage(doc, url)!;
      expect(read.platform).toBe('discourse');
      expect(read.posts.map((p) => [p.postId, p.author])).toEqual(c.posts);
      expect(read.posts.filter((p) => p.isQuestion).map((p) => p.postId)).toEqual(['1']);
      expect(read.posts.every((p) => p.url === `${c.url}/${p.postId}`)).toBe(true);
      expect(read.threads[0]).toMatchObject({ ...c.thread, url: c.url });
      // Five suggested topics below the stream, each with its own key.
      expect(read.threads).toHaveLength(6);
      expect(new Set(read.threads.map((t) => t.threadId)).size).toBe(6);
      // An overlay for the topic, each post and each suggested topic.
      expect(read.targets.map((t) => t.kind)).toEqual(['thread', ...c.posts.map(() => 'post'), ...Array(5).fill('thread-row')]);
      for (const t of read.targets) expect(t.element === t.anchor || t.element.contains(t.anchor)).toBe(true);
    });
  }
});

// Real pages run to megabytes; a loaded two-core machine parses them slowly.
const SLOW = 60_000;

describe('real GitHub pages', () => {
  it('an issue in the React view (kepano/defuddle#56, 2025): the body and six comments, by their permanent ids', () => {
    const url = 'https://github.com/kepano/defuddle/issues/56';
    const doc = parsePage(real('github/gh-issue-kepano-defuddle-56.html'), url);
    expect(adapterFor(doc, new URL(url))).toBe(github);
    const read = readPage(doc, new URL(url))!;
    expect(read).toMatchObject({ site: 'https://github.com', platform: 'github', viewer: null });
    expect(read.threads).toEqual([
      { threadId: 'kepano/defuddle/issues/56', title: 'Defuddle on Cloudflare Workers', url, author: 'jmorrell', answered: false, createdAt: Date.parse('2025-05-25T20:35:48Z') },
    ]);
    expect(read.posts.map((p) => [p.postId, p.author])).toEqual([
      ['issue-3089558116', 'jmorrell'],
      ['issuecomment-2908119605', 'jmorrell'],
      ['issuecomment-2930021934', 'masylum'],
      ['issuecomment-2953511555', 'nbbaier'],
      ['issuecomment-2954159954', 'nbbaier'],
      ['issuecomment-2980013482', 'masylum'],
      ['issuecomment-2981017870', 'nbbaier'],
    ]);
    expect(read.posts.filter((p) => p.isQuestion).map((p) => p.postId)).toEqual(['issue-3089558116']);
    expect(read.posts.every((p) => p.url === `${url}#${p.postId}`)).toBe(true);
    expect(read.targets.map((t) => t.kind)).toEqual(['thread', ...Array(7).fill('post')]);
  }, SLOW);

  it('the React issue list (anthropics/claude-code, 2025), signed in: 25 rows, with state, comments and author', () => {
    const url = 'https://github.com/anthropics/claude-code/issues';
    const read = readPage(parsePage(real('github/github-issues-list-anthropics-claude-code-2025-09.html'), url), new URL(url))!;
    expect(read.platform).toBe('github');
    expect(read.viewer).toBe('nedtwigg');
    expect(read.posts).toEqual([]);
    expect(read.threads).toHaveLength(25);
    expect(read.threads[0]).toEqual({ threadId: 'anthropics/claude-code/issues/8548', title: '[post-training rubric] [MODEL] Claude sonnet-4-5-20250929', url: 'https://github.com/anthropics/claude-code/issues/8548', author: 'wolf0fmainst', replies: 2, answered: false });
    // Rows without comments show no count: left out rather than guessed.
    expect(read.threads[1]).not.toHaveProperty('replies');
    expect(read.threads.every((t) => t.answered === false && /^anthropics\/claude-code\/issues\/\d+$/.test(t.threadId))).toBe(true);
    expect(read.targets.filter((t) => t.kind === 'thread-row')).toHaveLength(25);
  }, SLOW);
});

describe('real Stack Exchange pages', () => {
  const cases = [
    {
      file: 'stackexchange/so-question-2003505-accepted.html',
      url: 'https://stackoverflow.com/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely',
      thread: { threadId: '2003505', title: 'How do I delete a Git branch locally and remotely?', author: 'matthew-rankin.95592', replies: 39, answered: true, createdAt: Date.parse('2010-01-05T01:12:15Z'), tags: ['git', 'version-control', 'git-branch', 'git-push', 'git-remote'] },
      posts: 30,
      first: [['2003505', 'matthew-rankin.95592'], ['2003515', 'matthew-rankin.95592'], ['10999165', 'eric-brotto.385559']],
    },
    {
      file: 'stackexchange/puzzling-126764-accepted-answer.html',
      url: 'https://puzzling.stackexchange.com/questions/126764/which-duplo-digit-is-6-or-9',
      thread: { threadId: '126764', title: 'Which duplo digit is 6 or 9?', author: 'lezzup.84683', replies: 4, answered: true, tags: ['visual', 'real'] },
      posts: 5,
      first: [['126764', 'lezzup.84683'], ['126766', 'pdt.62272'], ['126767', 'lezzup.84683']],
    },
    {
      file: 'stackexchange/so-question-1077347-hello-world-python.html',
      url: 'https://stackoverflow.com/questions/1077347/hello-world-in-python',
      thread: { threadId: '1077347', title: 'Hello World in Python [duplicate]', author: 'miffthefox.100835', answered: true },
      posts: 2,
      first: [['1077347', 'miffthefox.100835'], ['1077349', 'unknown.57757']],
    },
    {
      // The asker's account is gone (a name without a profile): the question gets no "this helped", never a guessed author.
      file: 'stackexchange/so-question-1196322-no-accepted.html',
      url: 'https://stackoverflow.com/questions/1196322/how-to-create-an-animated-gif-in-net',
      thread: { threadId: '1196322', title: 'how to create an animated gif in .net', replies: 7, answered: false },
      posts: 7,
      first: [['32810041', 'mathew-sachin.5377194'], ['16598294', 'fireydude.869290']],
    },
  ];
  for (const c of cases) {
    it(`a question: ${c.file}`, () => {
      const doc = parsePage(real(c.file), c.url);
      const url = new URL(c.url);
      expect(adapterFor(doc, url)).toBe(stackexchange);
      const read = readPage(doc, url)!;
      expect(read.site).toBe(url.origin);
      expect(read.viewer).toBeNull();
      expect(read.threads).toHaveLength(1);
      expect(read.threads[0]).toMatchObject({ ...c.thread, url: c.url });
      expect(read.posts).toHaveLength(c.posts);
      expect(read.posts.slice(0, c.first.length).map((p) => [p.postId, p.author])).toEqual(c.first);
      for (const p of read.posts) expect(p.url).toBe(`${url.origin}/${p.isQuestion ? 'q' : 'a'}/${p.postId}`);
      expect(read.targets.filter((t) => t.kind === 'post')).toHaveLength(c.posts);
    }, SLOW);
  }

  it('the 2014 home page in the older question-summary markup: every outermost summary, answered meaning an accepted answer', () => {
    const url = 'https://stackoverflow.com/';
    const read = readPage(parsePage(real('stackexchange/so-homepage-question-list-2014.html'), url), new URL(url))!;
    // 90 summaries, of which the saved markup nests 26 inside others (unclosed elements, as a
    // browser's parser also reads them): a row inside a row is not a row of its own.
    expect(read.threads).toHaveLength(64);
    expect(read.threads[0]).toEqual({ threadId: '21814947', title: 'using gdb with piped input without creating file', url: 'https://stackoverflow.com/questions/21814947/using-gdb-with-piped-input-without-creating-file', author: 'george-newton.2827314', replies: 0, answered: false, tags: ['gdb'] });
    expect(read.threads.filter((t) => t.answered).length).toBeGreaterThan(0);
    expect(read.threads.every((t) => typeof t.answered === 'boolean')).toBe(true);
  }, SLOW);
});

describe('real Reddit pages', () => {
  it("a shreddit thread saved logged in (r/programming, 2025): the post and its comments, one deleted; the viewer from the page's own data", () => {
    const url = 'https://www.reddit.com/r/programming/comments/1nq6g8p/postgresql_18_released/';
    const doc = parsePage(real('reddit/shreddit-thread-r-programming-1nq6g8p-2025-10.html'), url);
    expect(adapterFor(doc, new URL(url))).toBe(reddit);
    const read = readPage(doc, new URL(url))!;
    expect(read).toMatchObject({ site: 'https://www.reddit.com', platform: 'reddit', viewer: 'cavia-porcellus-test' });
    expect(read.threads).toEqual([{ threadId: 't3_1nq6g8p', title: 'PostgreSQL 18 Released!', url, author: 'jskatz05', replies: 60, createdAt: Date.parse('2025-09-25T13:14:23.916Z'), category: 'r/programming' }]);
    // 59 comments, one of them deleted ("[deleted]", no author): 58 and the post.
    expect(read.posts).toHaveLength(59);
    expect(read.posts.map((p) => p.postId)).not.toContain('t1_ng5sscd');
    expect(read.posts[0]).toEqual({ threadId: 't3_1nq6g8p', postId: 't3_1nq6g8p', author: 'jskatz05', url, isQuestion: true });
    expect(read.posts[1]).toEqual({ threadId: 't3_1nq6g8p', postId: 't1_ng5d6zd', author: 'Dailand', url: 'https://www.reddit.com/r/programming/comments/1nq6g8p/comment/ng5d6zd/' });
    // Replies nest inside the comment they answer, and each is a post of its own.
    expect(read.posts.map((p) => p.postId)).toContain('t1_ng5osoy');
    expect(new Set(read.posts.map((p) => p.postId)).size).toBe(59);
    expect(read.targets.filter((t) => t.kind === 'post')).toHaveLength(59);
  }, SLOW);

  for (const [file, id, comments] of [
    ['reddit/shreddit-thread-BoomersBeingFools-1cq6hci.html', '1cq6hci', 10],
    ['reddit/shreddit-thread-BoomersBeingFools-1cqcfkk.html', '1cqcfkk', 10],
  ] as const) {
    it(`a shreddit thread saved logged out (2024): ${file}`, () => {
      const url = `https://www.reddit.com/r/BoomersBeingFools/comments/${id}/`;
      const read = readPage(parsePage(real(file), url), new URL(url))!;
      expect(read.viewer).toBeNull();
      expect(read.threads).toHaveLength(1);
      expect(read.threads[0]!.threadId).toBe(`t3_${id}`);
      // The address had no slug: the post's own permalink gives the canonical one.
      expect(read.threads[0]!.url).toMatch(new RegExp(`^https://www\\.reddit\\.com/r/BoomersBeingFools/comments/${id}/[a-z0-9_]+/$`));
      expect(read.posts).toHaveLength(comments + 1);
      expect(read.posts.filter((p) => p.isQuestion)).toHaveLength(1);
    }, SLOW);
  }

  it('a subreddit listing (r/programming, 2025): 28 posts, the four ads left out', () => {
    const url = 'https://www.reddit.com/r/programming/';
    const read = readPage(parsePage(real('reddit/shreddit-subreddit-listing-r-programming-2025-10.html'), url), new URL(url))!;
    expect(read.viewer).toBe('cavia-porcellus-test');
    expect(read.posts).toEqual([]);
    expect(read.threads).toHaveLength(28);
    expect(read.threads[0]).toEqual({ threadId: 't3_1o1mjzc', title: "I'm don't like how dev industry looks these days", url: 'https://www.reddit.com/r/programming/comments/1o1mjzc/im_dont_like_how_dev_industry_looks_these_days/', author: '-WhiteMouse-', replies: 0, category: 'r/programming' });
    expect(read.threads.every((t) => t.threadId.startsWith('t3_') && !t.title.includes('Promoted'))).toBe(true);
    expect(read.targets.filter((t) => t.kind === 'thread-row')).toHaveLength(28);
  }, SLOW);

  it('the 2019-2022 redesign (r/AskReddit, 2022): ten comments; deleted ones and the post, whose author neither the markup nor embedded data gives, get no author', () => {
    const url = 'https://www.reddit.com/r/AskReddit/comments/axtih6/what_is_the_most_worth_it_item_you_have_ever/';
    const read = readPage(parsePage(real('reddit/new-reddit-2022-askreddit-axtih6.html'), url), new URL(url))!;
    // "25.4k comments": an abbreviated count, read as about that many.
    expect(read.threads).toEqual([{ threadId: 't3_axtih6', title: 'What is the most "worth it" item you have ever purchased?', url, replies: 25_400 }]);
    expect(read.posts.map((p) => [p.postId, p.author])).toEqual([
      ['t1_ehwfe48', 'TheEngLife'],
      ['t1_ehwfku3', 'ToaMexx'],
      ['t1_ehwamnx', 'patches402'],
      ['t1_ehwn1nt', 'NC_Vixen'],
      ['t1_ehwha24', 'molliewhopped'],
      ['t1_ehx88ol', 'Deepsman'],
      ['t1_ehwdvkc', 'HolyOrdersOtaku'],
      ['t1_ehwubbo', 'Daripuff'],
      ['t1_ehwgryj', 'bluefoodforpercy'],
      ['t1_ehwt27q', 'WorshipNickOfferman'],
    ]);
    expect(read.targets.map((t) => t.kind)).toEqual(['thread', ...Array(10).fill('post')]);
  }, SLOW);
});
});
