/**
 * The Stack Exchange adapter on the project's pages: every network site and only those,
 * each its own community; people as their profile addresses; answered meaning an accepted
 * answer; the question list in today's markup; the same keys however the answers are sorted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalSite } from '../../../lib/domain/refs';
import { readPage } from '../../../lib/sites';
import { isStackExchangeHost, profileHandle, stackexchange } from '../../../lib/sites/stackexchange';
import { ADA, GRACE, STACKEXCHANGE_FIXTURES, questionPage, seAnswers } from '../../fixtures/stackexchange/generate';
import { closePages, parsePage } from './load-page';

afterAll(closePages);

const Q = STACKEXCHANGE_FIXTURES['question.html']!;

describe('Stack Exchange hosts', () => {
  it('recognises the network and nothing else', () => {
    for (const host of ['stackoverflow.com', 'ru.stackoverflow.com', 'meta.stackoverflow.com', 'superuser.com', 'meta.superuser.com', 'serverfault.com', 'askubuntu.com', 'mathoverflow.net', 'stackapps.com', 'puzzling.stackexchange.com', 'meta.stackexchange.com']) {
      expect(isStackExchangeHost(host), host).toBe(true);
    }
    for (const host of ['stackexchange.com', 'www.stackexchange.com', 'evilstackoverflow.com', 'stackoverflow.com.evil.test', 'a.b.stackexchange.com', 'github.com']) {
      expect(isStackExchangeHost(host), host).toBe(false);
    }
    const doc = parsePage(Q.html(), 'https://stackoverflow.example.test/questions/1');
    expect(stackexchange.detect(doc, new URL('https://stackoverflow.example.test/questions/1'))).toBe(false);
    expect(stackexchange.read(doc, new URL('https://stackoverflow.example.test/questions/1'))).toBeNull();
  });

  it('each network site is its own community', () => {
    const a = readPage(parsePage(Q.html(), Q.url), new URL(Q.url))!;
    const superuser = 'https://superuser.com/questions/79000001/how-do-i-rotate-api-keys-without-downtime';
    const b = readPage(parsePage(Q.html(), superuser), new URL(superuser))!;
    expect(a.site).toBe('https://stackoverflow.com');
    expect(b.site).toBe('https://superuser.com');
    expect(canonicalSite('https://www.stackoverflow.com')).toBe('https://stackoverflow.com');
    expect(b.posts[0]!.url).toBe('https://superuser.com/q/79000001');
  });
});

describe('Stack Exchange pages', () => {
  it('a question: the question, its answers, the accepted one making it answered, the viewer; a deleted account gets no author', () => {
    const r = readPage(parsePage(Q.html(), Q.url), new URL(Q.url))!;
    expect(r.viewer).toBe('grace-hopper.9001');
    expect(r.threads[0]).toMatchObject({ threadId: '79000001', answered: true, replies: 4, author: 'ada-lovelace.4821', tags: ['api', 'security'] });
    expect(r.posts.map((p) => [p.postId, p.author])).toEqual([
      ['79000001', 'ada-lovelace.4821'],
      ['79000010', 'grace-hopper.9001'],
      ['79000011', 'linus-t.1234'],
      ['79000012', 'ada-lovelace.4821'],
    ]);
    expect(r.posts[0]!.isQuestion).toBe(true);
    // The claim bar goes after the question's header, each "this helped" in its post's menu.
    expect(r.targets.filter((t) => t.kind === 'post').every((t) => t.anchor.matches('.js-post-menu'))).toBe(true);
  });

  it('a question without an accepted answer, all of its answers on the page, is not answered', () => {
    const html = questionPage({ id: 5, title: 'Open question', author: ADA, tags: [], answers: seAnswers(2, 10) }, { viewer: null });
    const r = readPage(parsePage(html, 'https://askubuntu.com/questions/5/open-question'), new URL('https://askubuntu.com/questions/5/open-question'))!;
    expect(r.threads[0]).toMatchObject({ answered: false, replies: 2 });
    expect(r.viewer).toBeNull();
  });

  it('gives the same keys whichever way the answers are sorted', () => {
    const q = { id: 7, title: 'Sorted', author: ADA, tags: [], answers: seAnswers(5, 100, true).reverse() };
    const url = 'https://stackoverflow.com/questions/7/sorted';
    const keys = (html: string) => readPage(parsePage(html, url), new URL(url))!.posts.map((p) => `${p.postId} ${p.author} ${p.url}`).sort();
    expect(keys(questionPage(q, {}, 'oldest'))).toEqual(keys(questionPage(q, {}, 'score')));
  });

  it("today's question list: rows with their answer counts, answered meaning an accepted answer", () => {
    const f = STACKEXCHANGE_FIXTURES['questions.html']!;
    const r = readPage(parsePage(f.html(), f.url), new URL(f.url))!;
    expect(r.threads.map((t) => [t.threadId, t.replies, t.answered, t.author])).toEqual([
      ['79000001', 4, true, 'ada-lovelace.4821'],
      ['79000002', 1, false, 'linus-t.1234'],
      ['79000003', 0, false, 'grace-hopper.9001'],
    ]);
    expect(r.targets.every((t) => t.kind === 'thread-row')).toBe(true);
  });

  it('a person is their profile address: readable, unique on the site', () => {
    const base = new URL('https://stackoverflow.com/questions/1');
    expect(profileHandle('/users/95592/matthew-rankin', base)).toBe('matthew-rankin.95592');
    expect(profileHandle('https://stackoverflow.com/users/95592/matthew-rankin?tab=profile', base)).toBe('matthew-rankin.95592');
    expect(profileHandle('/users/12', base)).toBe('12');
    expect(profileHandle('/users/12/%D0%B8%D0%B2%D0%B0%D0%BD', base)).toBe('иван.12');
    // A name that is no handle leaves the id alone: still the one person.
    expect(profileHandle('/users/5/a%20b', base)).toBe('5');
    for (const bad of ['/users/login', '/users/0/x', 'https://superuser.com/users/5/x', '/u/5', null]) expect(profileHandle(bad, base), String(bad)).toBeNull();
    expect(profileHandle(`/users/${GRACE.id}/grace-hopper`, base)).toBe(readPage(parsePage(Q.html(), Q.url), new URL(Q.url))!.viewer);
  });
});
