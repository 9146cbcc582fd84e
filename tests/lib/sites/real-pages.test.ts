/**
 * Conformance against pages as the real sites served them. The pages live outside the
 * repository (see tests/helpers/real-fixtures.ts) and are data: they are parsed with
 * scripting, file loading and navigation off, never run. Without them the suite skips with
 * one line saying so (and fails in CI).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { adapterFor, pageTargets, scanPage } from '../../../lib/sites';
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
});
