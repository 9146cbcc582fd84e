/**
 * Conformance against pages as the real sites served them. The pages live outside the
 * repository (see tests/helpers/real-fixtures.ts) and are data: they are parsed with
 * scripting, file loading and navigation off, never run. Without them the suite skips with
 * one line saying so (and fails in CI).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { adapterFor, pageTargets, readPage, scanPage } from '../../../lib/sites';
import { discourse } from '../../../lib/sites/discourse';
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
});
